package io.krill.internal.jni;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader's extraction and error paths, with System.load replaced by a recorder so that no
 * second copy of the library is mapped into the test JVM.
 */
class NativeLibraryLoaderTest {

    private static final Platform PLATFORM = Platform.current();
    private static final ClassLoader WITH_JAR = NativeLibraryLoaderTest.class.getClassLoader();
    private static final ClassLoader WITHOUT_JAR = new URLClassLoader(new URL[0], null);

    @TempDir
    Path workdir;

    private NativeLibraryLoader loader(ClassLoader classLoader, String explicit, MountTable mounts,
                                       Consumer<String> load) {
        return new NativeLibraryLoader(PLATFORM, classLoader, explicit, List.of(), workdir, "test", mounts, load);
    }

    private List<Path> leftovers() throws IOException {
        try (var entries = Files.list(workdir)) {
            return entries.toList();
        }
    }

    @Test
    void extractsThePlatformJarsLibraryPrivatelyAndDeletesItAfterLoading() throws IOException {
        byte[] expected;
        try (InputStream in = WITH_JAR.getResourceAsStream(PLATFORM.resourcePath())) {
            assertNotNull(in, "the platform jar must be on the test class path: " + PLATFORM.resourcePath());
            expected = in.readAllBytes();
        }
        List<String> loaded = new ArrayList<>();
        List<String> permissions = new ArrayList<>();
        NativeLibraryLoader.Loaded result = loader(WITH_JAR, null, MountTable.parse(List.of()), path -> {
            loaded.add(path);
            try {
                Path file = Path.of(path);
                assertArrayEquals(expected, Files.readAllBytes(file));
                permissions.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
                permissions.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }).load();

        assertEquals(1, loaded.size());
        assertTrue(loaded.get(0).startsWith(workdir.toString()), loaded.get(0));
        assertTrue(loaded.get(0).endsWith(PLATFORM.libraryFileName()), loaded.get(0));
        assertEquals(List.of("rwx------", "r-x------"), permissions);
        assertEquals(expected.length, result.sizeBytes());
        assertTrue(result.source().contains(PLATFORM.resourcePath()), result.source());
        assertEquals(List.of(), leftovers(), "the extracted copy is removed after loading");
    }

    @Test
    void aMissingPlatformJarNamesTheArtifactToAdd() throws IOException {
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> loader(WITHOUT_JAR, null, MountTable.parse(List.of()), path -> {}).load());
        assertTrue(e.getMessage().contains("io.krill:krill-native:"), e.getMessage());
        assertTrue(e.getMessage().contains(":jar:" + PLATFORM.classifier()), e.getMessage());
        assertTrue(e.getMessage().contains(PLATFORM.resourcePath()), e.getMessage());
        assertTrue(e.getMessage().contains("-Dkrill.native.library"), e.getMessage());
        assertEquals(List.of(), leftovers());
    }

    @Test
    void aNoexecWorkdirIsRefusedBeforeLoadingWithTheFix() throws IOException {
        MountTable noexec = MountTable.parse(List.of(
                "1 0 0:1 / " + workdir + " rw,noexec - tmpfs tmpfs rw"));
        List<String> loaded = new ArrayList<>();
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> loader(WITH_JAR, null, noexec, loaded::add).load());
        assertTrue(e.getMessage().contains("noexec"), e.getMessage());
        assertTrue(e.getMessage().contains("-Dkrill.native.workdir"), e.getMessage());
        assertEquals(List.of(), loaded);
        assertEquals(List.of(), leftovers());
    }

    @Test
    void aWorkdirThatIsNoDirectoryIsNamed() throws IOException {
        Path file = Files.writeString(workdir.resolve("not-a-dir"), "x");
        for (Path bad : List.of(file, workdir.resolve("missing"))) {
            NativeLibraryLoader loader = new NativeLibraryLoader(PLATFORM, WITH_JAR, null, List.of(), bad,
                    "-Dkrill.native.workdir", MountTable.parse(List.of()), path -> {});
            UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, loader::load);
            assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("-Dkrill.native.workdir"), e.getMessage());
        }
    }

    @Test
    void aWorkdirWhereNothingCanBeCreatedIsNamed() {
        // procfs refuses new directories even to root, so this holds in CI too.
        Path proc = Path.of("/proc/self");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(proc), "needs Linux /proc");
        NativeLibraryLoader loader = new NativeLibraryLoader(PLATFORM, WITH_JAR, null, List.of(), proc, "test",
                MountTable.parse(List.of()), path -> {});
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, loader::load);
        assertTrue(e.getMessage().contains("cannot create a directory"), e.getMessage());
        assertTrue(e.getMessage().contains("/proc/self"), e.getMessage());
    }

    @Test
    void aLoadFailureKeepsTheCauseAndCleansUp() throws IOException {
        UnsatisfiedLinkError cause = new UnsatisfiedLinkError("wrong ELF class: ELFCLASS32");
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> loader(WITH_JAR, null, MountTable.parse(List.of()), path -> {
                    throw cause;
                }).load());
        assertSame(cause, e.getCause());
        assertTrue(e.getMessage().contains("wrong ELF class"), e.getMessage());
        assertTrue(e.getMessage().contains(PLATFORM.classifier()), e.getMessage());
        assertEquals(List.of(), leftovers());
    }

    @Test
    void anExplicitLibraryIsLoadedInPlace() throws IOException {
        Path library = Files.writeString(workdir.resolve("libkrill-dev.so"), "not really a library");
        List<String> loaded = new ArrayList<>();
        NativeLibraryLoader.Loaded result =
                loader(WITHOUT_JAR, library.toString(), MountTable.parse(List.of()), loaded::add).load();
        assertEquals(List.of(library.toAbsolutePath().toString()), loaded);
        assertEquals(library.toAbsolutePath().toString(), result.source());
    }

    @Test
    void theFirstDirectoryOfJavaLibraryPathHoldingTheLibraryWinsOverTheJar() throws IOException {
        Path first = Files.createDirectory(workdir.resolve("first"));
        Path second = Files.createDirectory(workdir.resolve("second"));
        Path third = Files.createDirectory(workdir.resolve("third"));
        Files.writeString(second.resolve(PLATFORM.libraryFileName()), "second");
        Files.writeString(third.resolve(PLATFORM.libraryFileName()), "third");
        Files.createDirectory(first.resolve(PLATFORM.libraryFileName())); // a directory is no library
        List<String> loaded = new ArrayList<>();
        NativeLibraryLoader.Loaded result = new NativeLibraryLoader(PLATFORM, WITH_JAR, null,
                List.of(workdir.resolve("missing"), first, second, third), workdir, "test",
                MountTable.parse(List.of()), loaded::add).load();
        String expected = second.resolve(PLATFORM.libraryFileName()).toAbsolutePath().toString();
        assertEquals(List.of(expected), loaded);
        assertEquals(expected, result.source());
        assertEquals(NativeLibraryLoader.Origin.LIBRARY_PATH, result.origin());
        assertEquals("second".length(), result.sizeBytes());
    }

    @Test
    void withNothingOnJavaLibraryPathThePlatformJarIsUsed() throws IOException {
        List<String> loaded = new ArrayList<>();
        NativeLibraryLoader.Loaded result = new NativeLibraryLoader(PLATFORM, WITH_JAR, null,
                List.of(workdir), workdir, "test", MountTable.parse(List.of()), loaded::add).load();
        assertEquals(NativeLibraryLoader.Origin.PLATFORM_JAR, result.origin());
        assertEquals(1, loaded.size());
    }

    @Test
    void anExplicitLibraryWinsOverJavaLibraryPath() throws IOException {
        Path onPath = Files.createDirectory(workdir.resolve("path"));
        Files.writeString(onPath.resolve(PLATFORM.libraryFileName()), "on the path");
        Path explicit = Files.writeString(workdir.resolve("libkrill-dev.so"), "explicit");
        List<String> loaded = new ArrayList<>();
        NativeLibraryLoader.Loaded result = new NativeLibraryLoader(PLATFORM, WITHOUT_JAR, explicit.toString(),
                List.of(onPath), workdir, "test", MountTable.parse(List.of()), loaded::add).load();
        assertEquals(List.of(explicit.toAbsolutePath().toString()), loaded);
        assertEquals(NativeLibraryLoader.Origin.EXPLICIT, result.origin());
    }

    @Test
    void javaLibraryPathIsSplitOnThePathSeparatorSkippingEmptyEntries() {
        String sep = java.io.File.pathSeparator;
        assertEquals(List.of(Path.of("/a"), Path.of("b/c")), NativeLibraryLoader.searchPath(sep + "/a" + sep + sep + "b/c" + sep));
        assertEquals(List.of(), NativeLibraryLoader.searchPath(""));
    }

    @Test
    void anExplicitLibraryThatDoesNotExistIsNamed() {
        String missing = workdir.resolve("nope.so").toString();
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> loader(WITH_JAR, missing, MountTable.parse(List.of()), path -> {}).load());
        assertTrue(e.getMessage().contains("-Dkrill.native.library=" + missing), e.getMessage());
    }
}
