package io.krill.internal.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.internal.jni.Readiness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Event versus deregister versus re-register, in every order the table's points allow
 * ({@link Interleavings}), over a fake {@link NativeIo}: a stale token (an event, a task's
 * readiness clear or waiter, a listener's back-off timer) must never change the slot's next
 * connection, and a slot must never be both free and queued.
 *
 * <p>In each scenario thread 0 is the owner, which closes the connection and opens the next
 * one (they take the table's lock, so they share one thread), and thread 1 acts with the old
 * token. The slot is reused at once (the free list is LIFO), so the two connections share it.
 */
class ConnectionTableInterleavingTest {

    private static final int MAX_RUNS = 100_000;
    private static final int OWNER = 0;

    /**
     * The epoll and close calls the table makes, answered without a kernel (success; a delete
     * of an fd never added is -ENOENT); every other call of the backend is refused, as the
     * table must not make it.
     */
    static NativeIo fakeIo() {
        java.util.Set<Integer> registered = java.util.concurrent.ConcurrentHashMap.newKeySet();
        return (NativeIo) java.lang.reflect.Proxy.newProxyInstance(NativeIo.class.getClassLoader(),
                new Class<?>[] {NativeIo.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "epollAdd" -> {
                        registered.add((Integer) args[1]);
                        yield 0;
                    }
                    case "epollDelete" -> registered.remove((Integer) args[1]) ? 0 : -2;
                    case "close" -> 0;
                    case "toString" -> "fake NativeIo";
                    default -> throw new UnsupportedOperationException("the table does not call " + method.getName());
                });
    }

    /** A handler group that records the slots pushed onto its (single) ready stack. */
    static final class Pushes implements HandlerGroup {
        final List<Integer> indices = new ArrayList<>();

        @Override
        public synchronized void enqueue(int owner, int index) {
            indices.add(index);
        }

        synchronized List<Integer> taken() {
            List<Integer> all = new ArrayList<>(indices);
            indices.clear();
            return all;
        }
    }

    /** One table with one connection (fd 10) open, and what the racers leave behind. */
    private static class Race implements Interleavings.Scenario {
        final ConnectionTable table = new ConnectionTable(fakeIo());
        final Pushes pushes = new Pushes();
        final int group;
        final long old;
        volatile long fresh;
        private final List<Runnable> threads = new ArrayList<>();

        Race(boolean handler) {
            table.bindEpolls(new int[] {100});
            group = table.addGroup(pushes);
            old = open(handler, 10);
        }

        long open(boolean handler, int fd) {
            try {
                return handler
                        ? table.registerHandler(fd, OWNER, group, 0, false)
                        : table.register(fd, Readiness.READABLE | Readiness.WRITABLE, OWNER);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Thread 0: close the connection, open the next one (fd 11), then {@code after}. */
        Race owner(boolean handler, Runnable after) {
            threads.add(() -> {
                assertTrue(table.deregister(old, true));
                fresh = open(handler, 11);
                after.run();
            });
            return this;
        }

        Race racer(Runnable withOldToken) {
            threads.add(withOldToken);
            return this;
        }

        @Override
        public List<Runnable> threads() {
            return threads;
        }

        boolean sameSlot() {
            return ConnectionTable.indexOfToken(fresh) == ConnectionTable.indexOfToken(old);
        }

        @Override
        public void check() {
            assertNotEquals(old, fresh, "a new registration has a new token");
        }
    }

    private static void explore(String what, java.util.function.Supplier<Interleavings.Scenario> scenario) {
        Interleavings.Explored explored = Interleavings.everyOrder(scenario, MAX_RUNS);
        assertTrue(explored.runs() > 1, what + ": the racers interleaved in more than one order");
        System.out.println(what + ": " + explored.runs() + " orders, up to " + explored.longestOrder() + " steps");
    }

    @Test
    void aStaleEventNeverLandsOnTheSlotsNextConnection() {
        explore("stale event, Task API", () -> new Race(false) {
            {
                owner(false, () -> {}).racer(() -> table.onEvent(old, Readiness.READABLE, 0));
            }

            @Override
            public void check() {
                super.check();
                assertEquals(0, ConnectionTable.readinessOf(table.state(fresh)), "the next connection got the old one's readiness");
            }
        });
    }

    @Test
    void aStaleHandlerEventNeverQueuesTheSlotsNextConnection() {
        explore("stale event, handler API", () -> new Race(true) {
            {
                owner(true, () -> {}).racer(() -> table.onEvent(old, Readiness.READABLE, 0));
            }

            @Override
            public void check() {
                super.check();
                long state = table.state(fresh);
                assertEquals(0, ConnectionTable.readinessOf(state), "the next connection got the old one's readiness");
                List<Integer> pushed = pushes.taken();
                if (sameSlot()) {
                    assertEquals(List.of(), pushed, "the next connection was queued by the old one's event");
                    assertFalse(table.markQueued(old), "a stale token queues nothing");
                } else {
                    assertEquals(List.of(ConnectionTable.indexOfToken(old)), pushed,
                            "the slot was queued before its close, so it waits for its driver, not in the free list");
                }
            }
        });
    }

    @Test
    void aStaleClearNeverClearsTheNextConnectionsReadiness() {
        explore("stale clear", () -> new Race(false) {
            final long observed;

            {
                table.onEvent(old, Readiness.READABLE, 0); // tick 1: the next connection's first event gives tick 1 too
                observed = table.state(old);
                owner(false, () -> table.onEvent(fresh, Readiness.READABLE, 0))
                        .racer(() -> {
                            try {
                                table.clearReadiness(old, observed, Readiness.READABLE);
                            } catch (IllegalStateException stale) {
                                // refused as stale: fine (Registration.attempt reports it as closed)
                            }
                        });
            }

            @Override
            public void check() {
                super.check();
                assertEquals(Readiness.READABLE, ConnectionTable.readinessOf(table.state(fresh)) & Readiness.READABLE,
                        "the old connection's clear took the next one's readiness: its reader would wait for an edge that already came");
            }
        });
    }

    @Test
    void aStaleWaiterNeverDisplacesTheNextConnectionsWaiter() {
        explore("stale waiter", () -> new Race(false) {
            final AtomicInteger freshWoken = new AtomicInteger();
            final AtomicInteger staleWoken = new AtomicInteger();
            volatile boolean freshReadyAtOnce;
            volatile boolean staleReadyAtOnce;

            {
                owner(false, () -> freshReadyAtOnce = table.waiters().pollReady(fresh, Readiness.READABLE, freshWoken::incrementAndGet))
                        .racer(() -> staleReadyAtOnce = table.waiters().pollReady(old, Readiness.READABLE, staleWoken::incrementAndGet));
            }

            @Override
            public void check() {
                super.check();
                assertFalse(freshReadyAtOnce, "nothing had come for the next connection");
                int staleBefore = staleWoken.get();
                table.onEvent(fresh, Readiness.READABLE, 0); // data for the next connection
                assertTrue(freshWoken.get() > 0, "the next connection's reader was never woken: its waiter was displaced");
                assertTrue(staleReadyAtOnce || staleBefore > 0,
                        "the old connection's reader waits on, unwoken by the close it missed");
            }
        });
    }

    @Test
    void aStaleBackOffTimerNeverQueuesTheSlotsNextConnection() {
        explore("stale resume", () -> new Race(true) {
            {
                owner(true, () -> {}).racer(() -> {
                    if (table.markQueued(old)) { // Acceptor.resume, after its back-off
                        pushes.enqueue(OWNER, ConnectionTable.indexOfToken(old));
                    }
                });
            }

            @Override
            public void check() {
                super.check();
                List<Integer> pushed = pushes.taken();
                if (sameSlot()) {
                    assertEquals(List.of(), pushed, "the next connection was queued by the old listener's timer");
                }
            }
        });
    }

    @Test
    void aSlotClosedWhileAnEventQueuesItIsNeverBothFreeAndQueued() {
        explore("close versus queueing event", () -> new Race(true) {
            {
                racer(() -> assertTrue(table.deregister(old, true)));
                racer(() -> table.onEvent(old, Readiness.READABLE, 0));
            }

            @Override
            public void check() {
                for (int index : pushes.taken()) { // the driver pops what was queued
                    if (ConnectionTable.isClosedState(table.takeReady(index))) {
                        table.releaseQueued(index);
                    }
                }
                long first = open(true, 21);
                long second = open(true, 22);
                assertNotEquals(ConnectionTable.indexOfToken(first), ConnectionTable.indexOfToken(second),
                        "one slot handed to two connections: it was freed twice");
                assertTrue(ConnectionTable.indexOfToken(first) == ConnectionTable.indexOfToken(old)
                        || ConnectionTable.indexOfToken(second) == ConnectionTable.indexOfToken(old), "the closed slot was never freed");
            }
        });
    }
}
