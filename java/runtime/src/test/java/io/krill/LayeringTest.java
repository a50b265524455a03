package io.krill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The floors of the runtime, checked on its sources: a lower package never imports a higher
 * one. The natives import nothing of Krill's but the ring record they fill; tasks never name
 * the executor, nor the executor the reactor (each knows the other through an interface it
 * owns: WorkerContext, IoDriver).
 */
class LayeringTest {

    private static final Path SOURCES = Path.of("src/main/java/io/krill");
    /** An import of Krill's, the whole imported name in group 1 (a class, a member, or a package's star). */
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(io\\.krill(?:\\.\\w+)+)(?:\\.\\*)?;",
            Pattern.MULTILINE);

    /**
     * Imports of Krill's names in the package at {@code relative} that nothing in {@code allowed}
     * covers (a class, or a package and everything in it).
     */
    private static List<String> forbidden(String relative, String... allowed) throws IOException {
        Path dir = SOURCES.resolve(relative);
        assertTrue(Files.isDirectory(dir), "no sources at " + dir.toAbsolutePath());
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher m = IMPORT.matcher(Files.readString(file));
                while (m.find()) {
                    String imported = m.group(1);
                    boolean ok = false;
                    for (String prefix : allowed) {
                        ok |= imported.equals(prefix) || imported.startsWith(prefix + ".");
                    }
                    if (!ok) {
                        found.add(file.getFileName() + " imports " + m.group().trim());
                    }
                }
            }
        }
        return found;
    }

    @Test
    void theNativesImportNothingAboveThem() throws IOException {
        assertEquals(List.of(), forbidden("internal/jni", "io.krill.internal.jni", "io.krill.internal.ring"));
    }

    @Test
    void theRingsImportNothingAboveThem() throws IOException {
        assertEquals(List.of(), forbidden("internal/ring", "io.krill.internal.ring"));
    }

    @Test
    void tasksNeverNameTheExecutorNorTheReactor() throws IOException {
        assertEquals(List.of(), forbidden("internal/task", "io.krill.internal.task", "io.krill.Task", "io.krill.Promise",
                "io.krill.JoinHandle", "io.krill.Coroutine", "io.krill.Step"));
    }

    @Test
    void theExecutorNeverNamesTheReactor() throws IOException {
        assertEquals(List.of(), forbidden("internal/executor", "io.krill.internal.executor", "io.krill.internal.task",
                "io.krill.internal.time", "io.krill.internal.metrics", "io.krill.JoinHandle"));
    }

    /**
     * #13/#14: the runtime makes its system calls through its NativeIo, so a backend is one class
     * (and a test can inject faults under everything). Only the JNI backend itself and the
     * load-time self-tests of the library (SelfCheck, AbiLayout, which test the natives, not the
     * runtime) call the natives directly.
     */
    @Test
    void onlyTheJniBackendCallsTheSocketAndEpollNatives() throws IOException {
        Pattern nativeCall = Pattern.compile("\\b(SocketNative|EpollNative)(\\.[a-z]\\w*\\(|::)");
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String relative = SOURCES.relativize(file).toString();
                if (relative.startsWith("internal/jni/") || relative.equals("internal/reactor/JniNativeIo.java")
                        || relative.equals("internal/selfcheck/SelfCheck.java")) {
                    continue;
                }
                Matcher m = nativeCall.matcher(Files.readString(file));
                while (m.find()) {
                    found.add(relative + " calls " + m.group());
                }
            }
        }
        assertEquals(List.of(), found);
    }
}
