package io.krill.internal.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Coroutine;
import io.krill.Runtime;
import io.krill.Step;
import io.krill.Task;
import io.krill.internal.jni.EpollNative;
import io.krill.internal.jni.Readiness;
import io.krill.internal.jni.OpenDescriptors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** Readiness through the workers' epoll parking, end to end, on real eventfds. */
@EnabledOnOs(OS.LINUX)
class ReactorTest {

    @Test
    void tenThousandEventfdsEachDeliverTheirEventExactlyOnce() throws Exception {
        int count = 10_000;
        try (Runtime runtime = Runtime.builder().workers(2).build()) {
            long[] tokens = runtime.blockOn(() -> {
                ConnectionTable table = Reactor.currentTable();
                long[] registered = new long[count];
                for (int i = 0; i < count; i++) {
                    registered[i] = table.register(EpollNative.eventfdCreate(), Readiness.READABLE, Reactor.currentWorker());
                }
                return registered;
            });
            ConnectionTable table = runtime.blockOn(Reactor::currentTable);
            List<Task<Void>> ready = new ArrayList<>();
            for (long token : tokens) {
                ready.add(table.waiters().ready(token, Readiness.READABLE));
                EpollNative.eventfdWrite(table.fd(token), 1);
            }
            Task.all(ready).join(Duration.ofSeconds(30));
            runtime.blockOn(() -> 0); // one more round trip: any duplicate event would be in by now
            for (long token : tokens) {
                long state = table.state(token);
                assertEquals(Readiness.READABLE, ConnectionTable.readinessOf(state) & Readiness.READABLE);
                assertEquals(1, SlotDescriptor.tick(state), "one edge, one event, one tick");
            }
            assertEquals(0, table.staleEvents());
        }
    }

    @Test
    void aCoroutineWaitingForReadinessIsWokenByAWriteFromAnotherThread() throws Exception {
        try (Runtime runtime = Runtime.builder().workers(2).build()) {
            long token = runtime.blockOn(() -> Reactor.currentTable()
                    .register(EpollNative.eventfdCreate(), Readiness.READABLE, Reactor.currentWorker()));
            ConnectionTable table = runtime.blockOn(Reactor::currentTable);
            java.util.concurrent.CountDownLatch waiting = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.atomic.AtomicInteger resumes = new java.util.concurrent.atomic.AtomicInteger();
            Task<Long> reader = runtime.spawn(new Coroutine<Long>() {
                @Override
                public void resume(Step<Long> step) {
                    resumes.incrementAndGet();
                    long state = table.state(token);
                    long value = EpollNative.eventfdRead(table.fd(token));
                    if (value > 0) {
                        step.complete(value);
                        return;
                    }
                    table.clearReadiness(token, state, Readiness.READABLE); // EAGAIN: not ready after all
                    if (step.await(table.waiters().ready(token, Readiness.READABLE))) {
                        step.yieldNow();
                    } else {
                        waiting.countDown(); // really waiting now: the write below must wake it
                    }
                }
            });
            assertTrue(waiting.await(10, java.util.concurrent.TimeUnit.SECONDS), "the reader never waited");
            Thread writer = Thread.ofPlatform().start(() -> EpollNative.eventfdWrite(table.fd(token), 7));
            writer.join();
            assertEquals(7L, reader.join(Duration.ofSeconds(10)));
            assertEquals(2, resumes.get(), "one step that waited, one that the write woke");
        }
    }

    @Test
    void shutdownClosesEveryRegisteredDescriptor() throws Exception {
        io.krill.internal.jni.NativeLibrary.load();
        Map<Integer, String> before = OpenDescriptors.snapshot();
        Runtime runtime = Runtime.builder().workers(2).build();
        ConnectionTable table = runtime.blockOn(() -> {
            ConnectionTable current = Reactor.currentTable();
            for (int i = 0; i < 100; i++) {
                current.register(EpollNative.eventfdCreate(), Readiness.READABLE, Reactor.currentWorker());
            }
            return current;
        });
        assertEquals(Map.of("anon_inode:[eventfd]", 2 + 100, "anon_inode:[eventpoll]", 2), OpenDescriptors.kindsOpenedSince(before),
                "2 workers x (epoll + eventfd), 100 eventfds");
        assertTrue(runtime.shutdown(Duration.ofSeconds(5)));
        assertEquals(Map.of(), OpenDescriptors.openedSince(before), "no descriptor left open");
        assertTrue(table.isFreed(), "the slots' off-heap memory is freed");
    }

    @Test
    void registeringOffAWorkerOrWithoutNativeIoIsRefusedClearly() {
        IllegalStateException off = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, Reactor::currentTable);
        assertTrue(off.getMessage().contains("worker thread"), off.getMessage());
        try (Runtime plain = Runtime.builder().workers(1).nativeParking(false).build()) {
            Throwable none = plain.spawn(() -> {
                try {
                    Reactor.currentTable();
                    return null;
                } catch (IllegalStateException e) {
                    return e;
                }
            }).join();
            assertTrue(none.getMessage().contains("no native I/O"), none.getMessage());
        }
    }
}
