package io.krill.internal.jni;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The operating system and CPU this JVM runs on, named as Krill's platform jars are
 * ({@code linux-x86_64}, {@code linux-aarch_64}, {@code osx-x86_64}, {@code osx-aarch_64}): the
 * names of os-maven-plugin's {@code os.detected.classifier}, which Netty's native jars use, so
 * a build that picks Netty's classifier picks Krill's too. A Linux JVM that runs on musl (Alpine)
 * gets the {@code -musl} variant, {@code linux-x86_64-musl}: a library linked against glibc does
 * not load there.
 *
 * @param os   {@code linux} or {@code osx}
 * @param arch {@code x86_64} or {@code aarch_64}
 * @param musl whether the JVM runs on musl libc (Linux only)
 */
public record Platform(String os, String arch, boolean musl) {

    private static final Path MAPS = Path.of("/proc/self/maps");

    /** A glibc (or macOS) platform. */
    public Platform(String os, String arch) {
        this(os, arch, false);
    }

    public Platform {
        if (musl && !os.equals("linux")) {
            throw new IllegalArgumentException("musl is a Linux libc, not one of " + os);
        }
    }

    /** The platform of this JVM. */
    public static Platform current() {
        Platform platform = of(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
        if (platform.os().equals("linux") && runsOnMusl(mappedFiles())) {
            return new Platform(platform.os(), platform.arch(), true);
        }
        return platform;
    }

    /**
     * Whether this process maps musl's dynamic linker, which is musl's libc too
     * ({@code /lib/ld-musl-x86_64.so.1}, or Alpine's {@code libc.musl-x86_64.so.1} link to it),
     * from the lines of {@code /proc/self/maps}. The JVM's own mappings decide, not the files a
     * system has: Debian's musl-tools installs {@code /lib/ld-musl-x86_64.so.1} on glibc systems.
     */
    static boolean runsOnMusl(List<String> mapsLines) {
        for (String line : mapsLines) {
            int slash = line.lastIndexOf('/');
            if (slash >= 0) {
                String file = line.substring(slash + 1);
                if (file.startsWith("ld-musl-") || file.startsWith("libc.musl-")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * This process's {@code /proc/self/maps}; empty when it cannot be read, which means glibc:
     * the load then fails with the dynamic linker's own message if that guess is wrong.
     */
    private static List<String> mappedFiles() {
        try {
            return Files.readAllLines(MAPS);
        } catch (IOException | SecurityException e) {
            return List.of();
        }
    }

    /**
     * Maps the JVM's {@code os.name}/{@code os.arch} to a supported platform.
     *
     * @throws UnsatisfiedLinkError naming the platform when Krill has no native library for it
     */
    public static Platform of(String osName, String osArch) {
        String name = osName.toLowerCase(Locale.ROOT);
        String os;
        if (name.startsWith("linux")) {
            os = "linux";
        } else if (name.startsWith("mac") || name.startsWith("darwin")) {
            os = "osx";
        } else {
            throw unsupported(osName, osArch);
        }
        String arch = switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64", "x64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch_64";
            default -> throw unsupported(osName, osArch);
        };
        return new Platform(os, arch);
    }

    private static UnsatisfiedLinkError unsupported(String osName, String osArch) {
        return new UnsatisfiedLinkError("Krill has no native library for " + osName + "/" + osArch
                + ": supported platforms are linux-x86_64, linux-aarch_64, osx-x86_64 and osx-aarch_64");
    }

    /** The platform jar's classifier and resource folder, e.g. {@code linux-x86_64}. */
    public String classifier() {
        return os + "-" + arch + (musl ? "-musl" : "");
    }

    /**
     * The platform jar's module name on the module path (its Automatic-Module-Name); keep in
     * sync with the krill.platform.module properties of the parent pom.
     */
    public String moduleName() {
        return "io.krill.platform." + os + "." + arch + (musl ? ".musl" : "");
    }

    /** The library's file name on this platform. */
    public String libraryFileName() {
        return os.equals("osx") ? "libkrill.dylib" : "libkrill.so";
    }

    /** Where the platform jar keeps the library. */
    public String resourcePath() {
        return "META-INF/native/" + classifier() + "/" + libraryFileName();
    }

    /**
     * The poller libkrill uses here, as its bit in the library's mask of pollers built in
     * (epoll 1, kqueue 2); keep in sync with krill_onload.c:KRILL_POLLER_ID.
     */
    public int pollerId() {
        return os.equals("linux") ? 1 : 2;
    }

    /** {@code epoll} or {@code kqueue}. */
    public String pollerName() {
        return os.equals("linux") ? "epoll" : "kqueue";
    }
}
