package io.krill.internal.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.internal.ring.EventRecordDescriptor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

@EnabledOnOs(OS.LINUX)
class EpollNativeTest {

    private Arena arena;
    private Map<Integer, String> descriptorsBefore;

    @BeforeAll
    static void load() {
        NativeLibrary.load();
    }

    @BeforeEach
    void setUp() {
        arena = Arena.ofShared(); // shared: JUnit runs fixtures and the test on different threads
        descriptorsBefore = OpenDescriptors.snapshot();
    }

    @AfterEach
    void tearDown() {
        arena.close();
        assertEquals(Map.of(), OpenDescriptors.openedSince(descriptorsBefore), "descriptors leaked");
    }

    private MemorySegment records(int capacity) {
        return arena.allocate((long) capacity * EventRecordDescriptor.SIZE_BYTES, EventRecordDescriptor.ALIGNMENT_BYTES);
    }

    @Test
    void anEventfdWriteWakesTheWaitWithItsToken() {
        int epfd = EpollNative.epollCreate();
        int efd = EpollNative.eventfdCreate();
        try {
            long token = (0xFFFF_FFFEL << 32) | 0x1234; // a generation with the sign bit set
            assertEquals(0, EpollNative.epollAdd(epfd, efd, Readiness.READABLE, token));
            MemorySegment records = records(4);
            assertEquals(0, EpollNative.epollWait(epfd, records.address(), 4, 0));
            assertEquals(0, EpollNative.eventfdWrite(efd, 1));
            assertEquals(1, EpollNative.epollWait(epfd, records.address(), 4, 1000));
            assertEquals(token, EventRecordDescriptor.token(records, 0));
            assertEquals(Readiness.READABLE, EventRecordDescriptor.readiness(records, 0));
            assertEquals(0, EventRecordDescriptor.result(records, 0));
            assertEquals(1, EpollNative.eventfdRead(efd));
            assertEquals(-Errno.EAGAIN.number(), EpollNative.eventfdRead(efd));
        } finally {
            SocketNative.close(efd);
            SocketNative.close(epfd);
        }
    }

    @Test
    void oneCrossingDeliversAFullBatchEachTokenOnce() {
        int count = 64;
        int epfd = EpollNative.epollCreate();
        int[] fds = new int[count];
        try {
            for (int i = 0; i < count; i++) {
                fds[i] = EpollNative.eventfdCreate();
                assertEquals(0, EpollNative.epollAdd(epfd, fds[i], Readiness.READABLE, (7L << 32) | i));
                assertEquals(0, EpollNative.eventfdWrite(fds[i], 1));
            }
            MemorySegment records = records(count);
            assertEquals(count, EpollNative.epollWait(epfd, records.address(), count, 1000));
            Set<Long> tokens = new HashSet<>();
            for (int i = 0; i < count; i++) {
                tokens.add(EventRecordDescriptor.token(records, i));
                assertEquals(Readiness.READABLE, EventRecordDescriptor.readiness(records, i));
            }
            assertEquals(count, tokens.size());
            for (int i = 0; i < count; i++) {
                assertTrue(tokens.contains((7L << 32) | i));
            }
        } finally {
            for (int fd : fds) {
                SocketNative.close(fd);
            }
            SocketNative.close(epfd);
        }
    }

    @Test
    void modifyAndDeleteChangeWhatIsReported() {
        int epfd = EpollNative.epollCreate();
        int efd = EpollNative.eventfdCreate();
        try {
            MemorySegment records = records(2);
            assertEquals(0, EpollNative.epollAdd(epfd, efd, Readiness.READABLE, 1));
            assertEquals(0, EpollNative.epollWait(epfd, records.address(), 2, 0));
            assertEquals(0, EpollNative.epollModify(epfd, efd, Readiness.WRITABLE, 2));
            assertEquals(1, EpollNative.epollWait(epfd, records.address(), 2, 0));
            assertEquals(2, EventRecordDescriptor.token(records, 0));
            assertEquals(Readiness.WRITABLE, EventRecordDescriptor.readiness(records, 0));
            assertEquals(0, EpollNative.epollDelete(epfd, efd));
            assertEquals(0, EpollNative.epollWait(epfd, records.address(), 2, 0));
            assertEquals(-Errno.ENOENT.number(), EpollNative.epollDelete(epfd, efd));
        } finally {
            SocketNative.close(efd);
            SocketNative.close(epfd);
        }
    }

    @Test
    void badArgumentsReturnErrnoNotCrashes() {
        int epfd = EpollNative.epollCreate();
        try {
            MemorySegment records = records(1);
            assertEquals(-Errno.EINVAL.number(), EpollNative.epollWait(epfd, records.address(), 0, 0));
            assertEquals(-Errno.EBADF.number(), EpollNative.epollWait(-1, records.address(), 1, 0));
            assertEquals(-Errno.EBADF.number(), EpollNative.epollAdd(epfd, -1, Readiness.READABLE, 0));
            assertEquals(-Errno.EINVAL.number(), EpollNative.eventfdWrite(epfd, 0));
            assertEquals(-Errno.EBADF.number(), EpollNative.eventfdRead(-1));
        } finally {
            SocketNative.close(epfd);
        }
    }
}
