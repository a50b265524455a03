package io.krill.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Contest;
import io.krill.Coroutine;
import io.krill.Step;
import io.krill.Task;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * #13: reading is cancel-safe. A read given up on takes nothing from the stream: bytes it had
 * read (a read that lost a race after it finished, a readExact cancelled part-way, a line that
 * lost a race) go back, and the next read returns them first, in order.
 */
@EnabledOnOs(OS.LINUX)
class ReadCancelSafetyTest extends LoopbackFixture {

    /** Races {@code loser} behind an input that has already won (so it loses, finished or not). */
    private static <T> void lose(Task<T> loser) throws Exception {
        Task<T> race = Task.race(Task.completed(null), loser);
        assertEquals(null, race.join(WAIT), "the first input won");
    }

    private static byte[] bytes(MemorySegment segment, int n) {
        return segment.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void aReadThatLostARaceAfterItFinishedGivesItsBytesToTheNextRead() throws Exception {
        try (Peered pair = connectToPlainSocket()) {
            pair.peer().getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            MemorySegment buffer = arena.allocate(64);
            Task<Integer> first = runtime.blockOn(() -> pair.stream().read(buffer));
            assertEquals(5, first.join(WAIT));
            lose(first);
            MemorySegment again = arena.allocate(64);
            int n = runtime.blockOn(() -> pair.stream().read(again)).join(WAIT);
            assertEquals("hello", new String(bytes(again, n), StandardCharsets.US_ASCII));
            assertEquals(0, (int) runtime.blockOn(() -> pair.stream().tryRead(again)), "given back once");
        }
    }

    @Test
    void aReadExactCancelledPartWayGivesItsBytesBack() throws Exception {
        try (Peered pair = connectToPlainSocket()) {
            OutputStream peer = pair.peer().getOutputStream();
            peer.write(new byte[] {1, 2, 3});
            runtime.blockOn(() -> pair.stream().readable()).join(WAIT); // they are there: readExact's first read takes them
            MemorySegment eight = arena.allocate(8);
            Task<Void> waiting = runtime.blockOn(() -> pair.stream().readExact(eight));
            assertFalse(waiting.isDone(), "three of eight bytes: it waits for more");
            if (!waiting.cancel()) { // a step was making its call: it ends the operation itself
                assertThrowsCancelled(waiting);
            }
            assertTrue(waiting.isCancelled());
            peer.write(new byte[] {4, 5, 6, 7, 8});
            MemorySegment again = arena.allocate(8);
            runtime.blockOn(() -> pair.stream().readExact(again)).join(WAIT);
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, bytes(again, 8), "the three bytes came back first");
        }
    }

    private static void assertThrowsCancelled(Task<?> task) throws Exception {
        try {
            task.join(WAIT);
        } catch (CancellationException expected) {
            return;
        }
        throw new AssertionError(task + " was not cancelled");
    }

    @Test
    void aLineThatLostARaceIsTheNextLine() throws Exception {
        try (Peered pair = connectToPlainSocket()) {
            pair.peer().getOutputStream().write("first\nsecond\n".getBytes(StandardCharsets.US_ASCII));
            LineReader lines = pair.stream().lines();
            Task<String> first = runtime.blockOn(() -> lines.nextLine());
            assertEquals("first", first.join(WAIT));
            lose(first);
            assertEquals("first", runtime.blockOn(() -> lines.nextLine()).join(WAIT), "given back into the reader");
            assertEquals("second", runtime.blockOn(() -> lines.nextLine()).join(WAIT));
        }
    }

    @Test
    void bytesALineReaderCopiedOutThatNobodyTookAreReadAgain() throws Exception {
        try (Peered pair = connectToPlainSocket()) {
            pair.peer().getOutputStream().write("head\nbody\nmore".getBytes(StandardCharsets.US_ASCII));
            LineReader lines = pair.stream().lines();
            assertEquals("head", runtime.blockOn(() -> lines.nextLine()).join(WAIT));
            MemorySegment four = arena.allocate(4);
            Task<Integer> copied = runtime.blockOn(() -> lines.read(four));
            assertEquals(4, copied.join(WAIT), "\"body\" from the reader's buffer");
            lose(copied);
            assertEquals("body", runtime.blockOn(() -> lines.nextLine()).join(WAIT),
                    "the bytes went back, and their line feed is found again");
            MemorySegment rest = arena.allocate(16);
            int n = runtime.blockOn(() -> lines.read(rest)).join(WAIT);
            assertEquals("more", new String(bytes(rest, n), StandardCharsets.US_ASCII));
        }
    }

    /**
     * A numbered byte stream, sent in bursts with pauses, read with reads and readExacts of
     * random sizes, each under a timeout or a race against a timer of 0-2 ms (also through a map
     * and a nested timeout): every byte arrives exactly once and in order.
     */
    @Test
    void readsGivenUpOnInAStormLoseNoByte() throws Exception {
        int total = 150_000;
        try (Peered pair = connectToPlainSocket()) {
            // The writer stays at most a chunk ahead of the reader, so reads keep waiting for
            // bytes and the deadlines can win; on a loaded machine a reader that started late
            // once found all 150 KB buffered, no read waited, and the storm did not run.
            AtomicLong readTo = new AtomicLong();
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    OutputStream out = pair.peer().getOutputStream();
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    byte[] chunk = new byte[512];
                    for (int sent = 0; sent < total; ) {
                        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                        while (readTo.get() < sent - chunk.length && System.nanoTime() < deadline) {
                            Thread.sleep(Duration.ofNanos(100_000));
                        }
                        int n = Math.min(total - sent, random.nextInt(1, chunk.length));
                        for (int i = 0; i < n; i++) {
                            chunk[i] = (byte) ((sent + i) % 251);
                        }
                        out.write(chunk, 0, n);
                        sent += n;
                        if (random.nextBoolean()) {
                            Thread.sleep(Duration.ofNanos(random.nextLong(200_000, 3_000_000))); // let the reader's deadlines fall
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            AtomicLong cancelled = new AtomicLong();
            AtomicLong delivered = new AtomicLong();
            MemorySegment buffer = arena.allocate(256);
            Task<Long> reading = runtime.spawn(new Coroutine<Long>() {
                long position;
                int round;
                Task<?> pending;
                int asked;

                @Override
                public void resume(Step<Long> step) {
                    for (;;) {
                        if (pending == null) {
                            if (position == total) {
                                step.complete(position);
                                return;
                            }
                            ThreadLocalRandom random = ThreadLocalRandom.current();
                            asked = (int) Math.min(total - position, random.nextInt(1, 256));
                            MemorySegment into = buffer.asSlice(0, asked);
                            Task<?> op = round % 2 == 0 ? pair.stream().read(into) : pair.stream().readExact(into);
                            pending = Contest.FOR_PLAIN_VALUES[round++ % Contest.FOR_PLAIN_VALUES.length].around(op);
                        }
                        if (!step.await(pending)) {
                            return;
                        }
                        Task<?> done = pending;
                        pending = null;
                        Throwable failure = done.failureNow();
                        if (failure != null) {
                            if (!(failure instanceof TimeoutException)) {
                                step.fail(failure);
                                return;
                            }
                            cancelled.incrementAndGet();
                            continue;
                        }
                        delivered.incrementAndGet();
                        int n = done.resultNow() instanceof Integer count ? count : asked; // readExact: all it asked
                        if (n < 0) {
                            step.fail(new AssertionError("end of stream at " + position + " of " + total));
                            return;
                        }
                        readTo.set(position + n);
                        for (int i = 0; i < n; i++, position++) {
                            byte expected = (byte) (position % 251);
                            byte got = buffer.get(ValueLayout.JAVA_BYTE, i);
                            if (got != expected) {
                                step.fail(new AssertionError("byte " + position + " is " + got + ", expected " + expected
                                        + ": a byte was lost or repeated"));
                                return;
                            }
                        }
                    }
                }
            });
            assertEquals(total, reading.join(Duration.ofSeconds(100)));
            writer.join();
            System.out.println("ReadCancelSafetyTest storm: " + delivered + " reads delivered, " + cancelled + " given up on");
            assertTrue(cancelled.get() > 0, "no read was given up on: the storm did not run");
            MemorySegment after = arena.allocate(16);
            assertEquals(0, (int) runtime.blockOn(() -> pair.stream().tryRead(after)), "nothing more than was sent");
        }
    }
}
