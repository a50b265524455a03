package io.krill.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
        assertEquals(2, bom.split("<version>\\$\\{project.version}</version>", -1).length - 1,
                "krill-runtime and krill-native, each at the project's version");
        assertTrue(bom.contains("<artifactId>krill-runtime</artifactId>"));
        assertTrue(bom.contains("<artifactId>krill-native</artifactId>") && bom.contains("<classifier>linux-x86_64</classifier>"));
    }
}
