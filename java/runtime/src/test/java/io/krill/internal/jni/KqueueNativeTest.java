package io.krill.internal.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.krill.internal.ring.EventRecordDescriptor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** kqueue's wake-up and registration errors; runs on the macOS workflow only. */
@EnabledOnOs(OS.MAC)
class KqueueNativeTest {

    @BeforeAll
    static void load() {
        NativeLibrary.load();
    }

    @Test
    void aUserTriggerWakesTheWaitOnceWithItsToken() {
        int kq = KqueueNative.kqueueCreate();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment records = arena.allocate(EventRecordDescriptor.SIZE_BYTES * 4L, EventRecordDescriptor.ALIGNMENT_BYTES);
            long token = (9L << 32) | 3;
            assertEquals(0, KqueueNative.kqueueAddUser(kq, token));
            assertEquals(0, KqueueNative.kqueueWait(kq, records.address(), 4, 0));
            assertEquals(0, KqueueNative.kqueueTriggerUser(kq, token));
            assertEquals(1, KqueueNative.kqueueWait(kq, records.address(), 4, 1000));
            assertEquals(token, EventRecordDescriptor.token(records, 0));
            assertEquals(Readiness.READABLE, EventRecordDescriptor.readiness(records, 0));
            assertEquals(0, KqueueNative.kqueueWait(kq, records.address(), 4, 0), "EV_CLEAR consumed it");
            assertEquals(-Errno.EINVAL.number(), KqueueNative.kqueueWait(kq, records.address(), 0, 0));
            assertEquals(-Errno.EBADF.number(), KqueueNative.kqueueRegister(kq, -1, Readiness.READABLE, 1));
        } finally {
            SocketNative.close(kq);
        }
    }
}
