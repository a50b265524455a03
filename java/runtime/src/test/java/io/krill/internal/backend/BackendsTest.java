package io.krill.internal.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Runtime;
import io.krill.internal.jna.JnaNativeIo;
import io.krill.internal.jni.Errno;
import io.krill.internal.jni.NativeLibrary;
import io.krill.internal.reactor.NativeIo;
import io.krill.internal.reactor.NativeIoOverride;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** How the JVM's backend is chosen (#14), and that both backends agree where they overlap. */
class BackendsTest {

    private static final NativeIo JNI = Backends.load("jni");
    private static final NativeIo JNA = Backends.load("jna");

    private static Supplier<NativeIo> failing(String why) {
        return () -> {
            throw new UnsatisfiedLinkError(why);
        };
    }

    @Test
    void jniWinsWhenItLoadsAndJnaIsTheFallback() {
        Backends.Selected jni = Backends.choose(null, () -> JNI, () -> JNA);
        assertEquals("jni", jni.name());
        assertSame(JNI, jni.io());
        Backends.Selected fallback = Backends.choose("", failing("no platform jar for linux-x86_64"), () -> JNA);
        assertEquals("jna", fallback.name());
        assertSame(JNA, fallback.io());
        assertTrue(fallback.why().contains("no platform jar for linux-x86_64"), fallback.why());
    }

    @Test
    void theForcedBackendIsTakenOrFailsWithItsReason() {
        assertEquals("jna", Backends.choose("jna", () -> JNI, () -> JNA).name());
        assertEquals("jni", Backends.choose(" JNI ", () -> JNI, failing("unused")).name().toLowerCase());
        UnsatisfiedLinkError forced = assertThrows(UnsatisfiedLinkError.class,
                () -> Backends.choose("jna", () -> JNI, failing("JNA is not on the class path")));
        assertTrue(forced.getMessage().contains("-Dkrill.backend=jna")
                && forced.getMessage().contains("JNA is not on the class path"), forced.getMessage());
        UnsatisfiedLinkError bogus = assertThrows(UnsatisfiedLinkError.class,
                () -> Backends.choose("carrier-pigeon", () -> JNI, () -> JNA));
        assertTrue(bogus.getMessage().contains("carrier-pigeon") && bogus.getMessage().contains("jni or jna"),
                bogus.getMessage());
    }

    @Test
    void whenNeitherLoadsTheErrorGivesBothReasons() {
        UnsatisfiedLinkError neither = assertThrows(UnsatisfiedLinkError.class,
                () -> Backends.choose(null, failing("libkrill missing"), failing("JNA missing")));
        assertTrue(neither.getMessage().contains("libkrill missing") && neither.getMessage().contains("JNA missing"),
                neither.getMessage());
    }

    @Test
    void theJnaErrnoTableIsTheOneLibkrillReports() {
        NativeLibrary.load();
        int[] jni = new int[Errno.values().length];
        for (Errno errno : Errno.values()) {
            jni[errno.ordinal()] = errno.number();
        }
        assertArrayEquals(jni, JnaNativeIo.linuxErrnoTable(), "JNA's Linux numbers must be the C library's");
    }

    @Test
    void bothBackendsNameThemselvesAndTheRuntimeSaysWhichRuns() throws Exception {
        assertEquals("jni", JNI.name());
        assertEquals("jna", JNA.name());
        for (NativeIo io : new NativeIo[] {JNI, JNA}) {
            try (Runtime runtime = NativeIoOverride.with(io, () -> Runtime.builder().workers(1).build())) {
                assertEquals(io.name(), runtime.metrics().backend());
            }
        }
        try (Runtime runtime = Runtime.builder().workers(1).build()) {
            assertEquals(Backends.selected().name(), runtime.metrics().backend());
        }
    }
}
