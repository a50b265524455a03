package io.krill.internal.reactor;

import io.krill.internal.executor.StateParker;
import io.krill.internal.jni.Errno;
import io.krill.internal.errno.Errors;
import io.krill.internal.jni.Readiness;
import io.krill.internal.metrics.KrillEvents;
import io.krill.internal.metrics.ReactorBatchEvent;
import io.krill.internal.ring.SpscRing;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A worker's {@link io.krill.internal.executor.Parker} on epoll (see the package notes). Events
 * other than the wake-up go to the {@code dispatcher} on the worker's thread.
 */
public final class EpollParker extends StateParker implements SpscRing.EventHandler {

    /** The eventfd's token; connection tokens carry a generation below 2^31 and never equal it. */
    static final long WAKE_TOKEN = -1L;
    /** Records per ring: guess, tune with the reactor benchmarks; the shim waits for at most this many. */
    static final int RING_CAPACITY = 256;

    private static final VarHandle WAKE_WRITES;
    private static final VarHandle EVENTS;
    private static final VarHandle RING_HIGH_WATER;

    static {
        try {
            WAKE_WRITES = MethodHandles.lookup().findVarHandle(EpollParker.class, "wakeWrites", long.class);
            EVENTS = MethodHandles.lookup().findVarHandle(EpollParker.class, "events", long.class);
            RING_HIGH_WATER = MethodHandles.lookup().findVarHandle(EpollParker.class, "ringHighWater", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Arena arena = Arena.ofShared(); // made on the building thread, used by the worker
    private final SpscRing ring;
    private final int epfd;
    private final int eventfd;
    private final SpscRing.EventHandler dispatcher;
    private final NativeIo io;
    private volatile long wakeWrites; // added to atomically by wakers; read by tests
    /**
     * Event records this shard's polls returned. Opaque: written only by whoever holds
     * {@code polling} (the owner, or one rescuer at a time, ordered by that flag), read by metrics.
     */
    private long events;
    /**
     * The largest batch one poll returned: the most records the event ring held, since each
     * poll drains it (but for the rest of a batch whose waker threw, left for the next poll).
     * Opaque, and written as {@code events} is.
     */
    private int ringHighWater;
    /**
     * Who polls the shard: the owner (in sleep and pollNow) or another worker rescuing it
     * (pollForeign). The ring is single-producer single-consumer, and whoever holds this is both.
     */
    private final java.util.concurrent.atomic.AtomicBoolean polling = new java.util.concurrent.atomic.AtomicBoolean();
    /** Dispatch for a rescuing worker: everything but the wake-up, which belongs to the owner. */
    private final SpscRing.EventHandler foreignDispatch = this::onForeignEvent;

    /**
     * @param dispatcher receives every I/O event (token, readiness) on the worker's thread
     * @throws UncheckedIOException when epoll or the eventfd cannot be created
     */
    public EpollParker(NativeIo io, SpscRing.EventHandler dispatcher) {
        this.io = io;
        this.dispatcher = dispatcher;
        this.ring = SpscRing.allocate(arena, RING_CAPACITY);
        int ep = io.epollCreate();
        int efd = ep >= 0 ? io.eventfdCreate() : -1;
        try {
            Errors.check("epoll_create1", ep);
            Errors.check("eventfd", efd);
            Errors.check("epoll_ctl(ADD eventfd)", io.epollAdd(ep, efd, Readiness.READABLE, WAKE_TOKEN));
        } catch (java.io.IOException e) {
            if (efd >= 0) {
                io.close(efd);
            }
            if (ep >= 0) {
                io.close(ep);
            }
            arena.close();
            throw new UncheckedIOException("cannot set up a worker's epoll parker", e);
        }
        this.epfd = ep;
        this.eventfd = efd;
    }

    /** The epoll instance, for registering descriptors with this worker. */
    public int epollFd() {
        return epfd;
    }

    @Override
    protected void sleep(long timeoutNanos) {
        int timeoutMillis = timeoutNanos < 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, (timeoutNanos + 999_999) / 1_000_000);
        while (!polling.compareAndSet(false, true)) {
            Thread.onSpinWait(); // a rescuer's non-blocking poll: microseconds
        }
        try {
            waitAndDispatch(timeoutMillis, this);
        } finally {
            polling.set(false);
        }
    }

    @Override
    protected void wakeSleeper() {
        // The only syscall on the wake path, and only when the worker really sleeps.
        io.eventfdWrite(eventfd, 1);
        WAKE_WRITES.getAndAdd(this, 1L);
    }

    /** A busy worker's look at its I/O: whatever is ready now, without blocking. */
    @Override
    public void pollNow() {
        if (!polling.compareAndSet(false, true)) {
            return; // a rescuer is handling our events right now
        }
        try {
            waitAndDispatch(0, this);
        } finally {
            polling.set(false);
        }
    }

    @Override
    public boolean pollForeign() {
        if (!polling.compareAndSet(false, true)) {
            return false; // the owner polls or sleeps in its poll: it will see its events itself
        }
        try {
            return waitAndDispatch(0, foreignDispatch) > 0;
        } finally {
            polling.set(false);
        }
    }

    private int waitAndDispatch(int timeoutMillis, SpscRing.EventHandler handler) {
        int n = io.epollWaitRing(epfd, ring.address(), timeoutMillis);
        if (n == -Errno.ENOBUFS.number()) {
            n = 0; // cannot happen with a drained ring; drain below and let the next wait go on
        } else if (n < 0) {
            throw new UncheckedIOException(Errors.newException("epoll_wait", n));
        } else if (n > 0) {
            EVENTS.setOpaque(this, events + n);
            if (n > ringHighWater) { // plain read: whoever holds 'polling' wrote it last (ordered by that flag)
                RING_HIGH_WATER.setOpaque(this, n);
            }
            if (KrillEvents.reactorBatches) {
                ReactorBatchEvent event = new ReactorBatchEvent();
                event.events = n;
                event.commit();
            }
        }
        ring.drain(handler, RING_CAPACITY);
        return n;
    }

    @Override
    public void onEvent(long token, int readiness, int result) {
        if (token == WAKE_TOKEN) {
            io.eventfdRead(eventfd); // reset the counter; -EAGAIN when a racing read took it
            return;
        }
        dispatcher.onEvent(token, readiness, result);
    }

    private void onForeignEvent(long token, int readiness, int result) {
        if (token != WAKE_TOKEN) {
            dispatcher.onEvent(token, readiness, result);
        }
        // The eventfd is registered level-triggered: left unread, the owner's next wait sees it.
    }

    /** Event records this shard's polls returned so far (wake-ups included). */
    public long events() {
        return (long) EVENTS.getOpaque(this);
    }

    /** The most event records one poll put in the ring so far (at most {@link #ringCapacity()}). */
    public int ringHighWater() {
        return (int) RING_HIGH_WATER.getOpaque(this);
    }

    /** Records the event ring holds: the most one poll can return. */
    public int ringCapacity() {
        return ring.capacity();
    }

    /** Eventfd writes made by unpark: the wake-ups that needed a syscall. */
    long wakeWrites() {
        return wakeWrites;
    }

    /** True once {@link #close()} freed the event ring's off-heap memory. */
    boolean isFreed() {
        return !arena.scope().isAlive();
    }

    @Override
    public void close() {
        io.close(eventfd);
        io.close(epfd);
        arena.close();
    }
}
