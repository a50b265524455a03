package io.krill.internal.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PlatformTest {

    @Test
    void mapsTheJvmNamesOfEverySupportedPlatform() {
        assertEquals(new Platform("linux", "x86_64"), Platform.of("Linux", "amd64"));
        assertEquals(new Platform("linux", "x86_64"), Platform.of("Linux", "x86_64"));
        assertEquals(new Platform("linux", "aarch_64"), Platform.of("Linux", "aarch64"));
        assertEquals(new Platform("osx", "aarch_64"), Platform.of("Mac OS X", "aarch64"));
        assertEquals(new Platform("osx", "x86_64"), Platform.of("Mac OS X", "x86_64"));
    }

    @Test
    void namesTheJarResourceAndLibraryOfEachPlatform() {
        Platform linux = Platform.of("Linux", "amd64");
        assertEquals("linux-x86_64", linux.classifier());
        assertEquals("META-INF/native/linux-x86_64/libkrill.so", linux.resourcePath());
        assertEquals("epoll", linux.pollerName());
        assertEquals("io.krill.platform.linux.x86_64", linux.moduleName());
        Platform arm = Platform.of("Linux", "aarch64");
        assertEquals("linux-aarch_64", arm.classifier(), "as os-maven-plugin and Netty name it");
        assertEquals("META-INF/native/linux-aarch_64/libkrill.so", arm.resourcePath());
        assertEquals("io.krill.platform.linux.aarch_64", arm.moduleName());
        Platform mac = Platform.of("Mac OS X", "aarch64");
        assertEquals("META-INF/native/osx-aarch_64/libkrill.dylib", mac.resourcePath());
        assertEquals("kqueue", mac.pollerName());
        assertEquals("io.krill.platform.osx.aarch_64", mac.moduleName());
        assertEquals(1, linux.pollerId());
        assertEquals(2, mac.pollerId());
    }

    @Test
    void refusesAnUnsupportedPlatformByName() {
        UnsatisfiedLinkError os = assertThrows(UnsatisfiedLinkError.class, () -> Platform.of("Windows 11", "amd64"));
        assertTrue(os.getMessage().contains("Windows 11/amd64"), os.getMessage());
        assertTrue(os.getMessage().contains("linux-x86_64"), os.getMessage());
        UnsatisfiedLinkError arch = assertThrows(UnsatisfiedLinkError.class, () -> Platform.of("Linux", "riscv64"));
        assertTrue(arch.getMessage().contains("Linux/riscv64"), arch.getMessage());
    }

    @Test
    void currentPlatformIsTheOneThisBuildTargets() {
        String expected = System.getProperty("krill.expected.platform");
        assertNotNull(expected, "surefire sets krill.expected.platform from the build's platform profile");
        assertEquals(expected, Platform.current().classifier());
    }
}
