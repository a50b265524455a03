package io.krill.internal.jni;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Counts this process's open descriptors (Linux /proc/self/fd), to prove tests leak none. */
public final class OpenDescriptors {

    private OpenDescriptors() {}

    public static boolean supported() {
        return Files.isDirectory(Path.of("/proc/self/fd"));
    }

    public static long count() {
        try (var entries = Files.list(Path.of("/proc/self/fd"))) {
            return entries.count() - 1; // minus the directory stream's own descriptor
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/fd", e);
        }
    }
}
