package io.krill.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * What a user of the published runtime gets besides its classes (#16): a sources jar and a
 * javadoc jar of the public face only, under the Apache-2.0 licence the poms declare, and a
 * BOM that manages the runtime and the platform jar at the project's version. Runs here, after
 * the runtime module was packaged in the same build.
 */
class PublishedArtifactsTest {

    private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
    private static final String VERSION = java.util.Objects.requireNonNull(System.getProperty("krill.version"),
            "krill.version: set by the examples' pom to the project version");

    private static List<String> entries(Path jar) throws IOException {
        assertTrue(Files.isRegularFile(jar), "built: " + jar);
        List<String> names = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            file.stream().forEach(entry -> names.add(entry.getName()));
        }
        return names;
    }

    @Test
    void theRuntimeShipsItsSourcesAndTheJavadocOfItsPublicFace() throws IOException {
        Path target = ROOT.resolve("java/runtime/target");
        List<String> sources = entries(target.resolve("krill-runtime-" + VERSION + "-sources.jar"));
        assertTrue(sources.contains("io/krill/Task.java"), "sources: the public face");
        assertTrue(sources.contains("module-info.java"));
        assertTrue(sources.stream().anyMatch(name -> name.startsWith("io/krill/internal/")), "and what is behind it");
        List<String> javadoc = entries(target.resolve("krill-runtime-" + VERSION + "-javadoc.jar"));
        assertTrue(javadoc.contains("io.krill.runtime/io/krill/Task.html"), "javadoc of the exported packages");
        assertTrue(javadoc.contains("io.krill.runtime/io/krill/net/TcpStream.html"));
        assertTrue(javadoc.stream().noneMatch(name -> name.contains("/internal/")), "and nothing of the unexported ones");
    }

    @Test
    void theLicenceIsApacheTwoInTheTreeAndInThePoms() throws IOException {
        String licence = Files.readString(ROOT.resolve("LICENSE"));
        assertTrue(licence.contains("Apache License") && licence.contains("Version 2.0, January 2004"), "LICENSE");
        String parent = Files.readString(ROOT.resolve("pom.xml"));
        assertTrue(parent.contains("<name>Apache-2.0</name>"), "the parent pom, which every module inherits");
    }

    @Test
    void theBomManagesTheRuntimeAndThePlatformJarAtTheProjectsVersion() throws IOException {
        String bom = Files.readString(ROOT.resolve("bom/pom.xml"));
        assertTrue(bom.contains("<artifactId>krill-bom</artifactId>"));
        assertTrue(bom.contains("<packaging>pom</packaging>"));
        assertEquals(4, bom.split("<version>\\$\\{project.version}</version>", -1).length - 1,
                "krill-runtime and three platform jars of krill-native, each at the project's version");
        assertTrue(bom.contains("<artifactId>krill-runtime</artifactId>"));
        assertTrue(bom.contains("<artifactId>krill-native</artifactId>") && bom.contains("<classifier>linux-x86_64</classifier>")
                && bom.contains("<classifier>linux-aarch_64</classifier>")
                && bom.contains("<classifier>linux-x86_64-musl</classifier>"));
    }

    /** ELF e_machine of each Linux platform jar's library (elf.h: EM_X86_64, EM_AARCH64). */
    private static final Map<String, Integer> ELF_MACHINE =
            Map.of("linux-x86_64", 62, "linux-aarch_64", 183, "linux-x86_64-musl", 62);

    @Test
    void everyBuiltLinuxPlatformJarHoldsA64BitLibraryForItsOwnMachine() throws IOException {
        Path target = ROOT.resolve("native/target");
        String prefix = "krill-native-" + VERSION + "-";
        List<String> classifiers = new ArrayList<>();
        try (var files = Files.list(target)) {
            for (Path jar : files.filter(p -> p.getFileName().toString().startsWith(prefix + "linux-")
                    && p.getFileName().toString().endsWith(".jar")).sorted().toList()) {
                String name = jar.getFileName().toString();
                classifiers.add(name.substring(prefix.length(), name.length() - ".jar".length()));
            }
        }
        List<String> expected = new ArrayList<>();
        String buildMachine = System.getProperty("krill.platform");
        if (buildMachine.startsWith("linux-")) { // a macOS build makes no Linux jar of its own
            expected.add(buildMachine);
        }
        if (Files.isExecutable(Path.of(System.getProperty("krill.cross.aarch64.cc"))) && !expected.contains("linux-aarch_64")) {
            expected.add("linux-aarch_64");
        }
        if (Files.isExecutable(Path.of(System.getProperty("krill.musl.cc"))) && expected.contains("linux-x86_64")) {
            expected.add("linux-x86_64-musl");
        }
        org.junit.jupiter.api.Assumptions.assumeFalse(expected.isEmpty() && classifiers.isEmpty(),
                "no Linux platform jar is built on " + buildMachine);
        assertTrue(classifiers.containsAll(expected), "built: " + classifiers + ", expected at least " + expected);
        for (String classifier : classifiers) {
            Integer machine = ELF_MACHINE.get(classifier);
            assertTrue(machine != null, "a platform jar Krill knows no ELF machine for: " + classifier);
            try (JarFile jar = new JarFile(target.resolve(prefix + classifier + ".jar").toFile())) {
                assertEquals(classifier, jar.getManifest().getMainAttributes().getValue("Krill-Platform"));
                var entry = jar.getJarEntry("META-INF/native/" + classifier + "/libkrill.so");
                assertTrue(entry != null, classifier + ": the library under META-INF/native/" + classifier);
                byte[] header;
                try (var in = jar.getInputStream(entry)) {
                    header = in.readNBytes(20);
                }
                assertEquals(20, header.length, classifier + ": an ELF header");
                assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F'}, Arrays.copyOf(header, 4), classifier + ": ELF magic");
                assertEquals(2, header[4], classifier + ": ELFCLASS64");
                assertEquals(1, header[5], classifier + ": ELFDATA2LSB (little-endian)");
                int eMachine = (header[18] & 0xff) | (header[19] & 0xff) << 8;
                assertEquals(machine, eMachine, classifier + ": e_machine");
                // Which libc it needs, by the sonames in its dynamic string table: glibc's is
                // libc.so.6, musl's plain libc.so.
                String strings;
                try (var in = jar.getInputStream(entry)) {
                    strings = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
                }
                boolean musl = classifier.endsWith("-musl");
                assertEquals(!musl, strings.contains("libc.so.6\0"), classifier + ": needs glibc's libc.so.6");
                assertEquals(musl, strings.contains("\0libc.so\0"), classifier + ": needs musl's libc.so");
            }
        }
    }
}
