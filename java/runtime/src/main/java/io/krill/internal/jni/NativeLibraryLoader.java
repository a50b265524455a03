package io.krill.internal.jni;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Finds libkrill and loads it, trying in this order:
 * <ol>
 *   <li>{@code -Dkrill.native.library=<file>}, when given (and then nothing else);</li>
 *   <li>{@code java.library.path}, for systems that install libkrill: the first directory on it
 *       holding {@code libkrill.so} ({@code libkrill.dylib} on macOS). This is the search
 *       {@code System.loadLibrary("krill")} makes, done here by hand so that the log and
 *       {@link NativeLibrary#source()} name the file; a library found there that fails to load
 *       is an error, not a reason to try the jar, since its natives may be half bound;</li>
 *   <li>the platform jar on the class path: the library is extracted into a fresh private
 *       directory under {@code -Dkrill.native.workdir} (default {@code java.io.tmpdir}).</li>
 * </ol>
 *
 * <p>This class must be the one that calls {@code System.load}: libkrill's {@code JNI_OnLoad}
 * binds its natives to the classes of this class's package, found from this class's frame on
 * the loading thread's stack (krill_onload.c:krill_caller_package), which is how a copy of
 * Krill relocated by a shading tool still finds its own classes. Keep the class name in sync
 * with krill_onload.c:KRILL_LOADER_CLASS.
 *
 * <p>Every failure is an {@link UnsatisfiedLinkError} whose message names the platform, what was
 * wrong and what to do. The extracted copy is deleted right after loading: the mapping outlives
 * the file on Linux and macOS, so nothing is left behind in the temp directory.
 */
final class NativeLibraryLoader {

    static final String LIBRARY_PROPERTY = "krill.native.library";
    static final String WORKDIR_PROPERTY = "krill.native.workdir";

    /** Where a library was found, in the order they are tried. */
    enum Origin {
        EXPLICIT("-D" + LIBRARY_PROPERTY),
        LIBRARY_PATH("java.library.path"),
        PLATFORM_JAR("extracted from the platform jar");

        private final String description;

        Origin(String description) {
            this.description = description;
        }

        /** For messages and the log: {@code java.library.path}, for example. */
        String description() {
            return description;
        }
    }

    /**
     * Where the library came from and which file was mapped.
     *
     * @param source    a human-readable origin (a jar URL or a file path)
     * @param origin    which of the loader's ways found it
     * @param sizeBytes the library's size
     */
    record Loaded(String source, Origin origin, long sizeBytes) {}

    private final Platform platform;
    private final ClassLoader classLoader;
    private final String explicitLibrary;
    private final List<Path> libraryPath;
    private final Path workdir;
    private final String workdirOrigin;
    private final MountTable mounts;
    private final Consumer<String> systemLoad;

    /**
     * @param libraryPath the directories of {@code java.library.path}, searched in order
     * @param systemLoad  maps a library file: {@code System::load}, or a recorder in tests
     */
    NativeLibraryLoader(Platform platform, ClassLoader classLoader, String explicitLibrary,
                        List<Path> libraryPath, Path workdir, String workdirOrigin, MountTable mounts,
                        Consumer<String> systemLoad) {
        this.platform = Objects.requireNonNull(platform);
        this.classLoader = Objects.requireNonNull(classLoader);
        this.explicitLibrary = explicitLibrary;
        this.libraryPath = List.copyOf(libraryPath);
        this.workdir = Objects.requireNonNull(workdir);
        this.workdirOrigin = Objects.requireNonNull(workdirOrigin);
        this.mounts = Objects.requireNonNull(mounts);
        this.systemLoad = Objects.requireNonNull(systemLoad);
    }

    /**
     * A loader configured from system properties, loading with {@link System#load}: the one
     * restricted call of the runtime (JEP 472), which is why it runs with
     * {@code --enable-native-access}.
     */
    @SuppressWarnings("restricted")
    static NativeLibraryLoader fromSystemProperties() {
        String workdirProperty = System.getProperty(WORKDIR_PROPERTY);
        Path workdir;
        String origin;
        if (workdirProperty != null && !workdirProperty.isBlank()) {
            workdir = Path.of(workdirProperty);
            origin = "-D" + WORKDIR_PROPERTY;
        } else {
            workdir = Path.of(System.getProperty("java.io.tmpdir"));
            origin = "java.io.tmpdir";
        }
        return new NativeLibraryLoader(Platform.current(), NativeLibraryLoader.class.getClassLoader(),
                System.getProperty(LIBRARY_PROPERTY), searchPath(System.getProperty("java.library.path", "")),
                workdir, origin, MountTable.current(), System::load);
    }

    /**
     * The directories of a {@code java.library.path} value, in order; empty entries (a leading
     * or doubled separator) are skipped, as the JDK's own search ignores them.
     */
    static List<Path> searchPath(String value) {
        List<Path> directories = new ArrayList<>();
        for (String entry : value.split(java.io.File.pathSeparator)) {
            if (!entry.isBlank()) {
                directories.add(Path.of(entry));
            }
        }
        return directories;
    }

    Loaded load() {
        if (explicitLibrary != null && !explicitLibrary.isBlank()) {
            return loadExplicit(Path.of(explicitLibrary));
        }
        for (Path directory : libraryPath) {
            Path candidate = directory.resolve(platform.libraryFileName());
            if (Files.isRegularFile(candidate)) {
                Path absolute = candidate.toAbsolutePath();
                loadFile(absolute, Origin.LIBRARY_PATH.description() + "; remove it from there, or pass -D"
                        + LIBRARY_PROPERTY + ", to use another");
                return new Loaded(absolute.toString(), Origin.LIBRARY_PATH, sizeOf(absolute));
            }
        }
        return extractAndLoad();
    }

    private Loaded extractAndLoad() {
        Path directory = createPrivateDirectory();
        try {
            Path library = extractInto(directory);
            if (mounts.isNoExec(directory)) {
                throw new UnsatisfiedLinkError("Cannot load Krill's native library for "
                        + platform.classifier() + " from " + directory + ": that filesystem is mounted"
                        + " noexec. Point -D" + WORKDIR_PROPERTY + " at a directory on a mount that"
                        + " allows executables (for example under your home directory).");
            }
            long size = sizeOf(library);
            loadFile(library, Origin.PLATFORM_JAR.description());
            return new Loaded(String.valueOf(classLoader.getResource(platform.resourcePath())),
                    Origin.PLATFORM_JAR, size);
        } finally {
            deleteQuietly(directory);
        }
    }

    private Loaded loadExplicit(Path library) {
        if (!Files.isRegularFile(library) || !Files.isReadable(library)) {
            throw new UnsatisfiedLinkError("-D" + LIBRARY_PROPERTY + "=" + library + " names no readable"
                    + " file: point it at a built " + platform.libraryFileName() + " (for example"
                    + " native/target/platform-classes/" + platform.resourcePath() + "), or drop it"
                    + " to load the library from the platform jar.");
        }
        Path absolute = library.toAbsolutePath();
        loadFile(absolute, "named by " + Origin.EXPLICIT.description());
        return new Loaded(absolute.toString(), Origin.EXPLICIT, sizeOf(absolute));
    }

    private void loadFile(Path library, String how) {
        try {
            systemLoad.accept(library.toString());
        } catch (UnsatisfiedLinkError e) {
            UnsatisfiedLinkError explained = new UnsatisfiedLinkError("Cannot load Krill's native library "
                    + library + " (" + how + ") for " + platform.classifier() + ": " + e.getMessage()
                    + ". The library and krill-runtime must come from the same build; rebuild with"
                    + " ci/test or use matching io.krill:krill-native:" + platform.classifier() + " and"
                    + " krill-runtime versions.");
            explained.initCause(e);
            throw explained;
        }
    }

    /** A new directory only this user can read, so no other user can swap the library. */
    private Path createPrivateDirectory() {
        if (!Files.isDirectory(workdir)) {
            throw badWorkdir("it is not an existing directory");
        }
        try {
            if (supportsPosix()) {
                return Files.createTempDirectory(workdir, "krill-native-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            return Files.createTempDirectory(workdir, "krill-native-");
        } catch (IOException | SecurityException e) {
            UnsatisfiedLinkError error = badWorkdir("cannot create a directory there (" + e + ")");
            error.initCause(e);
            throw error;
        }
    }

    private boolean supportsPosix() {
        return workdir.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private Path extractInto(Path directory) {
        String resource = platform.resourcePath();
        Path library = directory.resolve(platform.libraryFileName());
        try (InputStream in = classLoader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("Krill's native library for " + platform.classifier()
                        + " is not on the class path (looked for " + resource + "). Add the platform"
                        + " jar io.krill:krill-native:" + version() + ":jar:" + platform.classifier()
                        + " next to krill-runtime, or point -D" + LIBRARY_PROPERTY + " at a built "
                        + platform.libraryFileName() + "."
                        + (NativeLibraryLoader.class.getModule().isNamed()
                                ? " On the module path, nothing requires the platform jar's module, so also pass"
                                        + " --add-modules " + platform.moduleName() + " (or ALL-MODULE-PATH)."
                                : ""));
            }
            Files.copy(in, library, StandardCopyOption.REPLACE_EXISTING);
            if (supportsPosix()) {
                Files.setPosixFilePermissions(library, PosixFilePermissions.fromString("r-x------"));
            }
            return library;
        } catch (IOException e) {
            UnsatisfiedLinkError error = badWorkdir("writing " + library + " failed (" + e + ")");
            error.initCause(e);
            throw error;
        }
    }

    private UnsatisfiedLinkError badWorkdir(String reason) {
        return new UnsatisfiedLinkError("Cannot extract Krill's native library for " + platform.classifier()
                + " into " + workdir + " (from " + workdirOrigin + "): " + reason + ". Point -D"
                + WORKDIR_PROPERTY + " at a writable directory on a mount that allows executables.");
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1; // only reported, never relied on
        }
    }

    private static String version() {
        String version = NativeLibraryLoader.class.getPackage().getImplementationVersion();
        return version != null ? version : "<krill version>";
    }

    /** Removes the extracted copy; the loaded mapping stays valid after the unlink. */
    private static void deleteQuietly(Path directory) {
        try (var entries = Files.list(directory)) {
            for (Path entry : entries.toList()) {
                Files.deleteIfExists(entry);
            }
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            // Best effort: a leftover file in a private temp directory harms nothing, and
            // failing the load over it would be worse.
            org.slf4j.LoggerFactory.getLogger(NativeLibraryLoader.class).debug("could not delete " + directory, e);
        }
    }
}
