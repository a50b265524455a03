package io.krill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the launcher in a fresh JVM, as README's main-job command does: its report, its exit
 * codes, and that it prints no JEP 472 native-access warning when started as documented.
 */
class KrillLauncherTest {

    private record Result(int exitCode, String stdout, String stderr) {}

    private static Result launch(Path scratch, String... jvmArgs) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmArgs));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Krill.class.getName()));
        Path out = scratch.resolve("stdout");
        Path err = scratch.resolve("stderr");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("launcher did not finish within 60 s");
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void reportsPlatformBackendAbiAndPassesItsSelfCheckWithoutWarnings(@TempDir Path scratch) throws Exception {
        Result result = launch(scratch, "--enable-native-access=ALL-UNNAMED");
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals("", withoutBackendLog(result.stderr()), "no warning of any kind");
        assertTrue(result.stderr().contains("INFO: Krill backend: jni (the platform jar loaded"), result.stderr());
        assertTrue(result.stdout().contains("platform   " + io.krill.internal.jni.Platform.current().classifier()),
                result.stdout());
        assertTrue(result.stdout().contains("backend    jni"), result.stdout());
        assertTrue(result.stdout().contains("abi        version " + io.krill.internal.jni.AbiLayout.ABI_VERSION), result.stdout());
        assertTrue(result.stdout().contains("wake-up delivered"), result.stdout());
        assertTrue(result.stdout().contains("loopback TCP"), result.stdout());
        assertTrue(result.stdout().contains("100,000 tasks spawned and joined"), result.stdout());
        assertTrue(result.stdout().contains("1,000 sleeps of 10 ms, all done after"), result.stdout());
    }

    /**
     * stderr without the one INFO record (JUL's two lines) in which the backend selection says
     * what it chose and why (#14): that record is asked for; anything else there is a warning.
     */
    static String withoutBackendLog(String stderr) {
        return stderr.replaceAll("(?m)^.* io\\.krill\\.internal\\.backend\\.Backends\\S* <clinit>\\R", "")
                .replaceAll("(?m)^INFO: Krill backend: .*\\R", "");
    }

    @Test
    void theJnaBackendRunsTheSameChecksWhenForced(@TempDir Path scratch) throws Exception {
        Result result = launch(scratch, "--enable-native-access=ALL-UNNAMED", "-Dkrill.backend=jna");
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals("", withoutBackendLog(result.stderr()), "no warning of any kind");
        assertTrue(result.stdout().contains("backend    jna, poller epoll (forced by -Dkrill.backend=jna)"), result.stdout());
        assertFalse(result.stdout().contains("abi        version"), "no libkrill, no ABI table: " + result.stdout());
        assertTrue(result.stdout().contains("wake-up delivered (token 0x5eed00000001) through jna"), result.stdout());
        assertTrue(result.stdout().contains("12-byte write/read"), result.stdout());
    }

    /** A system that installs libkrill: java.library.path wins over the platform jar, which is on the class path too. */
    @Test
    void aLibraryOnJavaLibraryPathIsLoadedBeforeThePlatformJars(@TempDir Path scratch) throws Exception {
        io.krill.internal.jni.Platform platform = io.krill.internal.jni.Platform.current();
        Path installed = Files.createDirectory(scratch.resolve("lib"));
        try (var in = KrillLauncherTest.class.getClassLoader().getResourceAsStream(platform.resourcePath())) {
            assertTrue(in != null, "the platform jar is on the test class path");
            Files.copy(in, installed.resolve(platform.libraryFileName()));
        }
        Path empty = Files.createDirectory(scratch.resolve("empty"));
        Result result = launch(scratch, "--enable-native-access=ALL-UNNAMED",
                "-Djava.library.path=" + empty + java.io.File.pathSeparator + installed);
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals("", withoutBackendLog(result.stderr()), "no warning of any kind");
        assertTrue(result.stdout().contains("library    " + installed.resolve(platform.libraryFileName())
                + " (java.library.path, "), result.stdout());
        assertTrue(result.stdout().contains("loopback TCP"), result.stdout());

        Result fromJar = launch(scratch, "--enable-native-access=ALL-UNNAMED", "-Djava.library.path=" + empty);
        assertEquals(0, fromJar.exitCode(), fromJar.stderr());
        assertTrue(fromJar.stdout().contains("(extracted from the platform jar, "), fromJar.stdout());
    }

    /** The loader's log line (DEBUG, FINE in java.util.logging through slf4j-jdk14) names the way it took. */
    @Test
    void theLoadIsLoggedAtDebugWithItsOrigin(@TempDir Path scratch) throws Exception {
        Path config = Files.writeString(scratch.resolve("logging.properties"), """
                handlers = java.util.logging.ConsoleHandler
                java.util.logging.ConsoleHandler.level = FINE
                io.krill.internal.jni.NativeLibrary.level = FINE
                """);
        Result result = launch(scratch, "--enable-native-access=ALL-UNNAMED", "-Djava.util.logging.config.file=" + config);
        assertEquals(0, result.exitCode(), result.stderr());
        assertTrue(result.stderr().contains("libkrill (ABI version " + io.krill.internal.jni.AbiLayout.ABI_VERSION
                + ") loaded from jar:file:"), result.stderr());
        assertTrue(result.stderr().contains("!/" + io.krill.internal.jni.Platform.current().resourcePath()
                + " (extracted from the platform jar)"), result.stderr());
    }

    /**
     * A broken libkrill on java.library.path is named, not skipped for the platform jar's: the
     * JNI backend fails with the fix (forced), and the automatic choice falls back to JNA saying
     * so (#14), never to a second libkrill whose natives another copy may have half bound.
     */
    @Test
    void aBrokenLibraryOnJavaLibraryPathIsNamedNotSkipped(@TempDir Path scratch) throws Exception {
        io.krill.internal.jni.Platform platform = io.krill.internal.jni.Platform.current();
        Path broken = Files.writeString(scratch.resolve(platform.libraryFileName()), "not a shared object");
        Result result = launch(scratch, "--enable-native-access=ALL-UNNAMED", "-Djava.library.path=" + scratch,
                "-Dkrill.backend=jni");
        assertEquals(1, result.exitCode(), result.stdout());
        assertTrue(result.stderr().contains(broken.toString()), result.stderr());
        assertTrue(result.stderr().contains("java.library.path; remove it from there, or pass -Dkrill.native.library"),
                result.stderr());
        Result automatic = launch(scratch, "--enable-native-access=ALL-UNNAMED", "-Djava.library.path=" + scratch);
        assertEquals(0, automatic.exitCode(), automatic.stderr());
        assertTrue(automatic.stdout().contains("backend    jna, poller epoll (libkrill did not load: ")
                && automatic.stdout().contains(broken.toString()), automatic.stdout());
    }

    /** libkrill binds natives relative to its loader's package, so it refuses any other caller by name. */
    @Test
    void libkrillLoadedByAnotherClassSaysWhoMustLoadIt(@TempDir Path scratch) throws Exception {
        io.krill.internal.jni.Platform platform = io.krill.internal.jni.Platform.current();
        Path library = scratch.resolve(platform.libraryFileName());
        try (var in = KrillLauncherTest.class.getClassLoader().getResourceAsStream(platform.resourcePath())) {
            assertTrue(in != null, "the platform jar is on the test class path");
            Files.copy(in, library);
        }
        Path source = Files.writeString(scratch.resolve("Sneak.java"), """
                public class Sneak {
                    public static void main(String[] args) {
                        try {
                            System.load(args[0]);
                            System.out.println("loaded");
                        } catch (UnsatisfiedLinkError e) {
                            System.out.println("refused: " + e.getMessage());
                        }
                    }
                }
                """);
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", source.toString(), library.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "Sneak finished");
        assertTrue(output.contains("refused: libkrill must be loaded by Krill's NativeLibraryLoader"), output);
        assertFalse(output.contains("loaded\n"), output);
    }

    @Test
    void withoutNativeAccessTheJdkWarns(@TempDir Path scratch) throws Exception {
        // The control for the test above: proves the warning would be seen if the flag were lost.
        Result result = launch(scratch);
        assertEquals(0, result.exitCode(), result.stderr());
        assertTrue(result.stderr().contains("restricted method"), result.stderr());
    }

    @Test
    void aBadWorkdirFallsBackToJnaSayingWhyOrExitsOneWithTheFixWhenJniIsForced(@TempDir Path scratch) throws Exception {
        Path missing = scratch.resolve("no-such-dir");
        Result fallback = launch(scratch, "--enable-native-access=ALL-UNNAMED", "-Dkrill.native.workdir=" + missing);
        assertEquals(0, fallback.exitCode(), fallback.stderr());
        assertTrue(fallback.stdout().contains("backend    jna, poller epoll (libkrill did not load: "), fallback.stdout());
        assertTrue(fallback.stdout().contains(missing.toString()), "the reason names the directory: " + fallback.stdout());
        assertTrue(fallback.stderr().contains("INFO: Krill backend: jna (libkrill did not load"), fallback.stderr());

        Result forced = launch(scratch, "--enable-native-access=ALL-UNNAMED", "-Dkrill.native.workdir=" + missing,
                "-Dkrill.backend=jni");
        assertEquals(1, forced.exitCode());
        assertTrue(forced.stderr().contains(missing.toString()), forced.stderr());
        assertTrue(forced.stderr().contains("-Dkrill.native.workdir"), forced.stderr());
        assertTrue(forced.stderr().contains("-Dkrill.backend=jni forces the jni backend"), forced.stderr());
        assertFalse(forced.stdout().contains("abi"), forced.stdout());
    }

    @Test
    void anUnknownBackendIsNamed(@TempDir Path scratch) throws Exception {
        Result result = launch(scratch, "--enable-native-access=ALL-UNNAMED", "-Dkrill.backend=carrier-pigeon");
        assertEquals(1, result.exitCode());
        assertTrue(result.stderr().contains("krill.backend=carrier-pigeon"), result.stderr());
    }
}
