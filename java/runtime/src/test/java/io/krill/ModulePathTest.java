package io.krill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import io.krill.internal.jni.Platform;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.jar.JarFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Krill as a named module: a small program on the module path (a source file, run in a fresh
 * JVM as README shows) serves a TCP round trip through the exported faces, and cannot reach the
 * machinery under {@code io.krill.internal}, neither at compile time nor by reflection.
 */
class ModulePathTest {

    private static String modulePath;

    private record Result(int exitCode, String stdout, String stderr) {}

    @BeforeAll
    static void findModules() {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            String name = path.getFileName().toString();
            boolean runtimeClasses = name.equals("classes") && Files.exists(path.resolve("module-info.class"));
            // slf4j-jdk14: an application brings an SLF4J provider (the runtime binds none), and
            // without one SLF4J prints a notice on stderr the first time Krill logs (the load).
            if (runtimeClasses || name.startsWith("slf4j-api-") || name.startsWith("slf4j-jdk14-")
                    || name.startsWith("krill-native-")) {
                entries.add(entry);
            }
        }
        assertEquals(4, entries.size(),
                "runtime classes (with module-info), slf4j-api, slf4j-jdk14 and the platform jar: " + entries);
        Path platformJar = entries.stream().map(Path::of).filter(p -> p.getFileName().toString().startsWith("krill-native-"))
                .findFirst().orElseThrow();
        try (JarFile jar = new JarFile(platformJar.toFile())) {
            assertEquals(Platform.current().moduleName(), jar.getManifest().getMainAttributes().getValue("Automatic-Module-Name"),
                    "the pom's krill.platform.module and Platform.moduleName() agree");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        modulePath = String.join(File.pathSeparator, entries);
    }

    private static Result run(Path scratch, String className, String source) throws IOException, InterruptedException {
        Path file = scratch.resolve(className + ".java");
        Files.writeString(file, source, StandardCharsets.UTF_8);
        return launch(scratch, className, "--module-path", modulePath,
                "--add-modules", "io.krill.runtime," + Platform.current().moduleName(),
                "--enable-native-access=io.krill.runtime", file.toString());
    }

    private static Result launch(Path scratch, String name, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(args));
        String className = name;
        Path out = scratch.resolve(className + ".out");
        Path err = scratch.resolve(className + ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(className + " did not finish within 60 s");
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void aProgramOnTheModulePathServesTcpAndCannotReachTheInternals(@TempDir Path scratch) throws Exception {
        Result result = run(scratch, "Echo", """
                import io.krill.Runtime;
                import io.krill.net.TcpServer;
                import java.net.InetAddress;
                import java.net.InetSocketAddress;
                import java.net.Socket;
                import java.nio.charset.StandardCharsets;

                public class Echo {
                    public static void main(String[] args) throws Exception {
                        System.out.println("module " + Runtime.class.getModule().getName());
                        try (Runtime runtime = Runtime.builder().workers(1).build()) {
                            TcpServer server = runtime.blockOn(() -> TcpServer.bind(
                                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                                    (connection, data) -> connection.write(data)));
                            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.localAddress().getPort())) {
                                socket.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                                System.out.println("echoed " + new String(socket.getInputStream().readNBytes(4), StandardCharsets.US_ASCII));
                            }
                            server.close();
                        }
                        Class<?> natives = Class.forName("io.krill.internal.jni.SocketNative");
                        System.out.println("exported " + natives.getModule().isExported("io.krill.internal.jni"));
                        try {
                            natives.getMethod("read", int.class, long.class, int.class).invoke(null, -1, 0L, 0);
                            System.out.println("internal reachable");
                        } catch (IllegalAccessException expected) {
                            System.out.println("internal refused: " + expected.getClass().getSimpleName());
                        }
                    }
                }
                """);
        assertEquals(0, result.exitCode(), result.stdout() + result.stderr());
        assertTrue(result.stdout().contains("module io.krill.runtime"), result.stdout());
        assertTrue(result.stdout().contains("echoed ping"), result.stdout());
        assertTrue(result.stdout().contains("exported false"), result.stdout());
        assertTrue(result.stdout().contains("internal refused: IllegalAccessException"), result.stdout());
        assertFalse(result.stderr().contains("WARNING: A restricted method"), "native access is granted: " + result.stderr());
    }

    @Test
    void codeThatNamesAnInternalClassDoesNotCompile(@TempDir Path scratch) throws Exception {
        Result result = run(scratch, "Sneak", """
                public class Sneak {
                    public static void main(String[] args) {
                        System.out.println(io.krill.internal.jni.SocketNative.read(-1, 0L, 0));
                    }
                }
                """);
        assertNotEquals(0, result.exitCode(), result.stdout());
        assertTrue(result.stderr().contains("does not export"), result.stderr());
    }

    @Test
    void noProgramCanImplementTaskForItIsSealed(@TempDir Path scratch) throws Exception {
        Result result = run(scratch, "Fake", """
                public abstract class Fake implements io.krill.Task<Integer> {
                    public static void main(String[] args) {}
                }
                """);
        assertNotEquals(0, result.exitCode(), result.stdout());
        assertTrue(result.stderr().contains("sealed"), result.stderr());
        assertTrue(io.krill.Task.class.isSealed() && Promise.class.isSealed() && JoinHandle.class.isSealed());
    }

    @Test
    void withoutThePlatformModuleTheLauncherSaysWhichModuleToAdd(@TempDir Path scratch) throws Exception {
        Result result = launch(scratch, "Krill", "--module-path", modulePath, "--enable-native-access=io.krill.runtime",
                "-m", "io.krill.runtime/io.krill.Krill");
        assertNotEquals(0, result.exitCode(), result.stdout());
        assertTrue(result.stderr().contains("--add-modules " + Platform.current().moduleName()), result.stderr());
    }

    /** #14: with JNA as a module and no platform module, the runtime runs on JNA (requires static). */
    @Test
    void withJnaAndNoPlatformModuleTheLauncherRunsOnJna(@TempDir Path scratch) throws Exception {
        String jna = java.util.Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> Path.of(entry).getFileName().toString().startsWith("jna-")).findFirst()
                .orElseThrow(() -> new AssertionError("JNA is not on the test class path"));
        String withoutPlatform = java.util.Arrays.stream(modulePath.split(File.pathSeparator))
                .filter(entry -> !Path.of(entry).getFileName().toString().startsWith("krill-native-"))
                .collect(java.util.stream.Collectors.joining(File.pathSeparator));
        Result result = launch(scratch, "Krill", "--module-path", withoutPlatform + File.pathSeparator + jna,
                "--add-modules", "com.sun.jna", "--enable-native-access=io.krill.runtime,com.sun.jna",
                "-m", "io.krill.runtime/io.krill.Krill");
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals("", KrillLauncherTest.withoutBackendLog(result.stderr()), "no warning of any kind");
        assertTrue(result.stdout().contains("backend    jna, poller epoll (libkrill did not load: "), result.stdout());
        assertTrue(result.stdout().contains("through jna"), result.stdout());
    }

    @Test
    void theLauncherRunsOnTheModulePath(@TempDir Path scratch) throws Exception {
        Result result = launch(scratch, "Krill", "--module-path", modulePath, "--enable-native-access=io.krill.runtime",
                "--add-modules", Platform.current().moduleName(), "-m", "io.krill.runtime/io.krill.Krill");
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals("", KrillLauncherTest.withoutBackendLog(result.stderr()), "no warning of any kind");
        assertTrue(result.stdout().contains("loopback TCP"), result.stdout());
    }
}
