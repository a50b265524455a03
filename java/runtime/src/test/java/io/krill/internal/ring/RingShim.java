package io.krill.internal.ring;

import java.nio.file.Files;
import java.nio.file.Path;

/** Test-only natives from {@code libkrill_ringshim.so} (native/src/test/c/krill_ring_shim.c). */
final class RingShim {

    private RingShim() {}

    /** Loads the shim named by {@code -Dkrill.test.ringshim} (set by the build). */
    @SuppressWarnings("restricted") // test JVMs run with --enable-native-access
    static void load() {
        String path = System.getProperty("krill.test.ringshim");
        if (path == null || !Files.isRegularFile(Path.of(path))) {
            throw new IllegalStateException("the ring test shim is missing at '" + path
                    + "': build from the root (ci/test), whose native test phase runs 'make shim'");
        }
        System.load(path);
    }

    /** Starts a C thread writing {@code count} records (token = sequence) into the ring. */
    static native long startProducer(long ringAddress, long count);

    static native int joinProducer(long handle);
}
