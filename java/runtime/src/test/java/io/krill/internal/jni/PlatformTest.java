package io.krill.internal.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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
    void aMuslLinuxHasItsOwnClassifierResourceAndModule() {
        Platform alpine = new Platform("linux", "x86_64", true);
        assertEquals("linux-x86_64-musl", alpine.classifier());
        assertEquals("META-INF/native/linux-x86_64-musl/libkrill.so", alpine.resourcePath());
        assertEquals("io.krill.platform.linux.x86_64.musl", alpine.moduleName());
        assertEquals("epoll", alpine.pollerName());
        assertThrows(IllegalArgumentException.class, () -> new Platform("osx", "aarch_64", true));
    }

    @Test
    void muslIsDetectedFromTheMappedDynamicLinkerOnly() {
        // Lines of /proc/self/maps: a JVM on Alpine (musl's linker is its libc) and one on glibc.
        assertTrue(Platform.runsOnMusl(List.of(
                "7f1c2a000000-7f1c2a014000 r--p 00000000 08:01 1234 /usr/lib/jvm/java-25-openjdk/lib/server/libjvm.so",
                "7f1c2b000000-7f1c2b04c000 r-xp 00014000 08:01 99 /lib/ld-musl-x86_64.so.1")));
        assertTrue(Platform.runsOnMusl(List.of("7f00-7f10 r-xp 00000000 08:01 7 /lib/libc.musl-aarch64.so.1")));
        assertFalse(Platform.runsOnMusl(List.of(
                "7f1c2a000000-7f1c2a014000 r-xp 00000000 08:01 1234 /usr/lib/x86_64-linux-gnu/libc.so.6",
                "7f1c2b000000-7f1c2b002000 r--p 00000000 08:01 99 /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                "7ffd1000-7ffd2000 rw-p 00000000 00:00 0 [stack]",
                "5600-5700 r--p 00000000 08:01 5 /home/u/ld-musl-notes/readme")));
        assertFalse(Platform.runsOnMusl(List.of()));
    }

    @Test
    void refusesAnUnsupportedPlatformByName() {
        UnsatisfiedLinkError os = assertThrows(UnsatisfiedLinkError.class, () -> Platform.of("Windows 11", "amd64"));
        assertTrue(os.getMessage().contains("Windows 11/amd64"), os.getMessage());
        assertTrue(os.getMessage().contains("linux-x86_64"), os.getMessage());
        UnsatisfiedLinkError arch = assertThrows(UnsatisfiedLinkError.class, () -> Platform.of("Linux", "riscv64"));
        assertTrue(arch.getMessage().contains("Linux/riscv64"), arch.getMessage());
    }

    /** On this glibc build machine, with musl-tools' /lib/ld-musl-x86_64.so.1 perhaps installed, not musl. */
    @Test
    void currentPlatformIsTheOneThisBuildTargets() {
        String expected = System.getProperty("krill.expected.platform");
        assertNotNull(expected, "surefire sets krill.expected.platform from the build's platform profile");
        assertEquals(expected, Platform.current().classifier());
    }
}
