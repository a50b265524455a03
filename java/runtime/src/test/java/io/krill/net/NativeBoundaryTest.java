package io.krill.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Task;
import io.krill.internal.net.Registration;
import io.krill.internal.net.StreamIo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * #13's safe native boundary: a buffer whose address would reach the kernel is refused, with
 * the reason, when it is freed, read-only for a read, confined to another thread, or confined
 * at all for an operation that may wait; an offset past the buffer is refused before any
 * address is formed; and a buffer whose arena closes while a read waits is never written.
 */
@EnabledOnOs(OS.LINUX)
class NativeBoundaryTest extends LoopbackFixture {

    /** What {@code call} threw on a worker (blockOn wraps it). */
    private Throwable thrown(java.util.concurrent.Callable<?> call) {
        CompletionException e = assertThrows(CompletionException.class, () -> runtime.blockOn(call));
        return e.getCause();
    }

    @Test
    void aBufferOfAClosedArenaIsRefused() throws Exception {
        try (Peered pair = connectToPlainSocket()) {
            Arena closed = Arena.ofShared();
            MemorySegment gone = closed.allocate(16);
            closed.close();
            Throwable read = thrown(() -> pair.stream().read(gone));
            assertInstanceOf(IllegalStateException.class, read);
            assertTrue(read.getMessage().contains("arena is closed"), read.getMessage());
            assertInstanceOf(IllegalStateException.class, thrown(() -> pair.stream().writeAll(gone)));
        }
    }

    @Test
    void aReadOnlyBufferIsRefusedForReadsAndTakenForWrites() throws Exception {
        try (Peered pair = connectToPlainSocket()) {
            MemorySegment readOnly = arena.allocate(4).fill((byte) 'k').asReadOnly();
            Throwable read = thrown(() -> pair.stream().read(readOnly));
            assertInstanceOf(IllegalArgumentException.class, read);
            assertTrue(read.getMessage().contains("read-only"), read.getMessage());
            assertInstanceOf(IllegalArgumentException.class, thrown(() -> pair.stream().tryRead(readOnly)));
            assertInstanceOf(IllegalArgumentException.class, thrown(() -> pair.stream().readExact(readOnly)));
            runtime.blockOn(() -> pair.stream().writeAll(readOnly)).join(WAIT); // the kernel only reads it
            assertEquals('k', pair.peer().getInputStream().read());
        }
    }

    @Test
    void aConfinedBufferIsRefusedWhereAnOperationMayWaitOrOnAnotherThread() throws Exception {
        try (Peered pair = connectToPlainSocket(); Arena mine = Arena.ofConfined()) {
            MemorySegment confinedHere = mine.allocate(16);
            // This (test) thread owns it; the worker that runs the call does not.
            assertInstanceOf(WrongThreadException.class, thrown(() -> pair.stream().tryRead(confinedHere)));
            Throwable onItsOwnThread = thrown(() -> {
                try (Arena workers = Arena.ofConfined()) {
                    return pair.stream().read(workers.allocate(16));
                }
            });
            assertInstanceOf(IllegalArgumentException.class, onItsOwnThread);
            assertTrue(onItsOwnThread.getMessage().contains("Arena.ofShared()"), onItsOwnThread.getMessage());
            int nothingYet = runtime.blockOn(() -> {
                try (Arena workers = Arena.ofConfined()) {
                    return pair.stream().tryRead(workers.allocate(16)); // no waiting: its own thread is enough
                }
            });
            assertEquals(0, nothingYet);
        }
    }

    @Test
    void anOffsetPastTheBufferIsRefusedBeforeAnyAddressIsFormed() throws Exception {
        try (Peered pair = connectToPlainSocket()) {
            Registration registration = registrationOf(pair.stream());
            MemorySegment buffer = arena.allocate(16);
            assertInstanceOf(IndexOutOfBoundsException.class, thrown(() -> registration.readExact(buffer, Long.MAX_VALUE)));
            assertInstanceOf(IndexOutOfBoundsException.class, thrown(() -> registration.writeAll(buffer, 17)));
            assertInstanceOf(IndexOutOfBoundsException.class, thrown(() -> registration.writeAll(buffer, -1)));
        }
    }

    @Test
    void aReadWhoseArenaClosesWhileItWaitsFailsAndWritesNothing() throws Exception {
        try (Peered pair = connectToPlainSocket()) {
            Arena closing = Arena.ofShared();
            Task<Integer> waiting = runtime.blockOn(() -> pair.stream().read(closing.allocate(16)));
            closing.close(); // no call is under way: the JDK lets it close
            pair.peer().getOutputStream().write(new byte[] {1, 2, 3});
            Throwable failure = assertThrows(CompletionException.class, () -> waiting.join(WAIT)).getCause();
            assertInstanceOf(IllegalStateException.class, failure);
            assertTrue(failure.getMessage().contains("closed while it waited"), failure.getMessage());
            MemorySegment next = arena.allocate(16);
            assertEquals(3, runtime.blockOn(() -> pair.stream().read(next)).join(WAIT), "the bytes are still the stream's");
        }
    }

    private static Registration registrationOf(TcpStream stream) throws ReflectiveOperationException {
        java.lang.reflect.Field io = TcpStream.class.getDeclaredField("io");
        io.setAccessible(true);
        return ((StreamIo) io.get(stream)).registration();
    }
}
