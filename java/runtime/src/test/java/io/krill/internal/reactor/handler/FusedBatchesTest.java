package io.krill.internal.reactor.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.internal.jni.Errno;
import io.krill.internal.reactor.NativeIo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The fused crossing's two batches on their own ({@link ReadBatch}, {@link WriteStaging}); the driver's use of them is in FusedCrossingTest. */
class FusedBatchesTest {

    /** A backend whose batch calls all return {@code rc} without touching the records. */
    private static NativeIo batchesReturning(int rc) {
        return (NativeIo) Proxy.newProxyInstance(NativeIo.class.getClassLoader(), new Class<?>[] {NativeIo.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "readBatch", "writeBatch" -> rc;
                    default -> throw new AssertionError("unexpected call " + method.getName());
                });
    }

    private static MemorySegment ascii(String text) {
        return MemorySegment.ofArray(text.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aReadBatchHoldsASlotOnceAndFillsUp() {
        try (Arena arena = Arena.ofConfined()) {
            ReadBatch batch = new ReadBatch(arena);
            assertTrue(batch.add(7, 70L, 3));
            assertFalse(batch.add(7, 70L, 3), "a second read of slot 7 in one batch");
            assertEquals(1, batch.count());
            for (int i = 1; i < ReadBatch.REGIONS; i++) {
                assertFalse(batch.isFull());
                assertTrue(batch.add(100 + i, 1000L + i, 10 + i));
            }
            assertTrue(batch.isFull());
            assertEquals(7, batch.index(0));
            assertEquals(70L, batch.token(0));
            assertEquals(1000L + 5, batch.token(5));
            batch.clear();
            assertEquals(0, batch.count());
            assertTrue(batch.add(7, 71L, 3), "a cleared batch takes slot 7 again");
        }
    }

    @Test
    void viewsAreTheirRegionsBytesAndAreReusedPerLength() {
        try (Arena arena = Arena.ofConfined()) {
            ReadBatch batch = new ReadBatch(arena);
            batch.add(1, 1L, 3);
            batch.add(2, 2L, 4);
            MemorySegment first = batch.view(1, 100);
            assertEquals(100, first.byteSize());
            assertSame(first, batch.view(1, 100), "the same length twice: one view");
            MemorySegment other = batch.view(1, 108); // the same way of the cache as 100
            assertEquals(108, other.byteSize());
            assertEquals(100, batch.view(1, 100).byteSize());
            assertNotSame(batch.view(0, 100), batch.view(1, 100));
            assertEquals(batch.view(0, 1).address() + ReadBatch.REGION_BYTES, batch.view(1, 1).address(), "regions side by side");
            assertEquals(ReadBatch.REGION_BYTES, batch.view(1, ReadBatch.REGION_BYTES).byteSize());
        }
    }

    @Test
    void aBatchCallThatFailsWholeFailsEachOperation() {
        try (Arena arena = Arena.ofConfined()) {
            ReadBatch reads = new ReadBatch(arena);
            reads.add(1, 1L, 3);
            reads.add(2, 2L, 4);
            reads.run(batchesReturning(-Errno.EINVAL.number()));
            assertEquals(-Errno.EINVAL.number(), reads.result(0));
            assertEquals(-Errno.EINVAL.number(), reads.result(1));

            WriteStaging writes = new WriteStaging(arena);
            writes.add(1, 1L, 3, ascii("ab"), 0, 2);
            writes.run(batchesReturning(-Errno.ENOMEM.number()));
            assertEquals(-Errno.ENOMEM.number(), writes.result(0));
        }
    }

    @Test
    void stagedBytesAreCopiedAndOnlyTheLastOperationGrows() {
        try (Arena arena = Arena.ofConfined()) {
            WriteStaging staging = new WriteStaging(arena);
            assertTrue(staging.add(1, 10L, 3, ascii("xhello"), 1, 5));
            assertTrue(staging.extend(10L, ascii(", world"), 0, 7, 1 << 20));
            assertEquals(12, staging.length(0));
            assertEquals("hello, world", text(staging, 0));
            assertTrue(staging.add(2, 20L, 4, ascii("next"), 0, 4));
            assertFalse(staging.extend(10L, ascii("!"), 0, 1, 1 << 20), "connection 10's operation is not the last one");
            assertFalse(staging.extend(20L, ascii("1234"), 0, 4, 8), "8 bytes would reach a limit of 8");
            assertTrue(staging.extend(20L, ascii("123"), 0, 3, 8));
            assertEquals("next123", text(staging, 1));
            assertEquals("hello, world", text(staging, 0), "the first operation's bytes stay put");

            assertEquals(0, staging.take(10L));
            assertTrue(staging.skipped(0));
            assertEquals(-1, staging.take(10L), "taken once");
            assertEquals("hello, world", text(staging, 0), "a taken operation's bytes stay until clear");
            assertEquals(1, staging.take(20L));
            assertFalse(staging.extend(20L, ascii("x"), 0, 1, 1 << 20), "a taken operation does not grow");
            staging.clear();
            assertEquals(0, staging.count());
        }
    }

    @Test
    void stagingRefusesWhatDoesNotFit() {
        try (Arena arena = Arena.ofConfined()) {
            WriteStaging staging = new WriteStaging(arena);
            MemorySegment big = arena.allocate(WriteStaging.MAX_WRITE_BYTES + 1);
            assertFalse(staging.add(1, 1L, 3, big, 0, WriteStaging.MAX_WRITE_BYTES + 1), "longer than a staged write may be");
            int fits = 0;
            while (staging.add(fits, fits + 1L, 3, big, 0, WriteStaging.MAX_WRITE_BYTES)) {
                fits++;
            }
            assertEquals(WriteStaging.BYTES / WriteStaging.MAX_WRITE_BYTES, fits, "as many as the bytes hold");
            staging.clear();
            int ops = 0;
            while (staging.add(ops, ops + 1L, 3, big, 0, 1)) {
                ops++;
            }
            assertEquals(WriteStaging.OPS, ops, "as many as the operations hold");
        }
    }

    private static String text(WriteStaging staging, int op) {
        byte[] bytes = staging.data().asSlice(staging.offset(op), staging.length(op)).toArray(ValueLayout.JAVA_BYTE);
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
