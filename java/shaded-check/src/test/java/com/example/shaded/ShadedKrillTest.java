package com.example.shaded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Krill relocated by maven-shade-plugin into an application's jar still loads its library and
 * passes its self-check: libkrill binds its natives in whatever package its loader now sits in
 * (krill_onload.c). Runs after package, on the jar this module's build shaded.
 */
class ShadedKrillTest {

    private static final Path JAR = Path.of(property("krill.shaded.jar"));
    private static final String PACKAGE = property("krill.shaded.package");
    private static final String PLATFORM = property("krill.platform");

    private static String property(String name) {
        return Objects.requireNonNull(System.getProperty(name), name + ": set by this module's pom");
    }

    @Test
    void theShadedJarHoldsKrillOnlyUnderTheRelocatedPackageAndTheLibrary() throws IOException {
        String relocated = PACKAGE.replace('.', '/') + "/";
        try (JarFile jar = new JarFile(JAR.toFile())) {
            List<String> names = jar.stream().map(java.util.jar.JarEntry::getName).toList();
            assertTrue(names.contains(relocated + "internal/jni/NativeLibraryLoader.class"), "relocated loader");
            assertTrue(names.contains(relocated + "internal/jni/SocketNative.class"), "relocated natives");
            assertFalse(names.stream().anyMatch(name -> name.startsWith("io/krill/")), "nothing left at io/krill/");
            String library = "META-INF/native/" + PLATFORM + "/libkrill.so";
            assertTrue(names.contains(library), library);
            byte[] bytes;
            try (var in = jar.getInputStream(jar.getEntry(library))) {
                bytes = in.readAllBytes();
            }
            // The reason shading works at all: the library names no Java package a shader
            // would have had to rewrite inside a binary it cannot rewrite.
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            assertFalse(text.contains("io/krill"), "libkrill names no io/krill class");
            assertTrue(text.contains("NativeLibraryLoader"), "but it knows its loader's simple name");
        }
    }

    @Test
    void theRelocatedKrillPassesItsSelfCheck(@TempDir Path scratch) throws IOException, InterruptedException {
        Path out = scratch.resolve("stdout");
        Path err = scratch.resolve("stderr");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Djava.library.path=" + scratch, "-jar", JAR.toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the shaded application did not finish within 60 s");
        }
        String stdout = Files.readString(out);
        String stderr = Files.readString(err);
        assertEquals(0, process.exitValue(), stdout + stderr);
        // The one INFO record (java.util.logging's two lines) in which the runtime says which backend
        // it chose (#14) is asked for, under the relocated class name; anything else would be a warning.
        assertTrue(stderr.contains(PACKAGE + ".internal.backend.Backends$Holder <clinit>")
                && stderr.contains("INFO: Krill backend: jni (the platform jar loaded"), stderr);
        String rest = stderr.replaceAll("(?m)^.* " + java.util.regex.Pattern.quote(PACKAGE) + "\\.internal\\.backend\\.Backends\\S* <clinit>\\R", "")
                .replaceAll("(?m)^INFO: Krill backend: .*\\R", "");
        assertEquals("", rest, "no warning of any kind");
        assertTrue(stdout.contains("krill class " + PACKAGE + ".Krill"), stdout);
        assertTrue(stdout.contains("library    jar:file:" + JAR + "!/META-INF/native/" + PLATFORM + "/libkrill.so"
                + " (extracted from the platform jar, "), stdout);
        assertTrue(stdout.contains("loopback TCP"), stdout);
        assertTrue(stdout.contains("100,000 tasks spawned and joined"), stdout);
    }
}
