package io.krill;

import io.krill.internal.executor.BlockingPool;
import io.krill.internal.executor.IoDriver;
import io.krill.internal.executor.MultiThreadScheduler;
import io.krill.internal.executor.Parker;
import io.krill.internal.executor.VirtualThreads;
import io.krill.internal.backend.Backends;
import io.krill.internal.jni.Platform;
import io.krill.internal.reactor.EpollParker;
import io.krill.internal.reactor.NativeIo;
import io.krill.internal.reactor.NativeIoOverride;
import io.krill.internal.reactor.ConnectionTable;
import io.krill.internal.executor.WorkerThread;
import io.krill.internal.task.CallableTask;
import io.krill.internal.task.CoroutineTask;
import io.krill.internal.task.ScheduledTask;
import io.krill.internal.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * A Krill runtime: worker threads running tasks with work stealing, and a bounded pool for
 * blocking work.
 *
 * <pre>{@code
 * try (Runtime runtime = Runtime.builder().workers(4).build()) {
 *     JoinHandle<Integer> answer = runtime.spawn(() -> 6 * 7);
 *     System.out.println(runtime.blockOn(() -> answer.resultNow() ...));
 * }
 * }</pre>
 *
 * Closing the runtime shuts it down gracefully with the builder's shutdown timeout.
 *
 * <p>The name is Tokio's ({@code tokio::runtime::Runtime}), so the guide's examples read the
 * same in Java. Importing it shadows {@code java.lang.Runtime} in that file (a single-type
 * import wins over {@code java.lang.*}, by the language's rules, never ambiguously); the rare
 * line that needs the JDK's writes {@code java.lang.Runtime.getRuntime()} in full, as the
 * three such lines in this repository (of 49 files that use this class by import) do.
 */
public final class Runtime implements AutoCloseable {

    private final MultiThreadScheduler scheduler;
    /** Registered descriptors, when workers park in epoll (Linux); else null. */
    private final ConnectionTable connections;
    /** The workers' epoll parkers, when they park in epoll; else empty. */
    private final EpollParker[] pollers;
    private final BlockingPool blocking;
    private final Duration closeTimeout;
    /** Set on each worker thread as it starts (by the executor's start hook): what {@link #current()} answers. */
    private static final ThreadLocal<Runtime> CURRENT = new ThreadLocal<>();
    /** Bound for the body of each {@link #spawnVirtual} thread: what {@link #current()} answers there. */
    private static final ScopedValue<Runtime> VIRTUAL = ScopedValue.newInstance();
    private final VirtualThreads virtualThreads;

    private final Object shutdownLock = new Object();
    private Boolean shutdownResult; // guarded by shutdownLock

    private Runtime(Builder builder) {
        this.blocking = new BlockingPool(builder.maxBlockingThreads, builder.blockingKeepAlive.toMillis(),
                builder.threadNamePrefix + "blocking-");
        IntFunction<Parker> parkers;
        if (builder.nativeParking && nativeLibraryAvailable()) {
            NativeIo io = NativeIoOverride.currentOr(() -> Backends.selected().io()); // a test's, else this JVM's
            connections = new ConnectionTable(io);
            EpollParker[] epollParkers = new EpollParker[builder.workers];
            int[] epollFds = new int[builder.workers];
            for (int i = 0; i < epollParkers.length; i++) {
                epollParkers[i] = new EpollParker(io, connections);
                epollFds[i] = epollParkers[i].epollFd();
            }
            connections.bindEpolls(epollFds);
            parkers = index -> epollParkers[index];
            pollers = epollParkers;
        } else {
            connections = null;
            pollers = new EpollParker[0];
            parkers = index -> MultiThreadScheduler.threadParker();
        }
        ConnectionTable table = connections;
        this.scheduler = new MultiThreadScheduler(new MultiThreadScheduler.Config(builder.workers,
                builder.threadNamePrefix, builder.localQueueCapacity, builder.budget,
                builder.globalQueueInterval, builder.uncaughtExceptionHandler,
                builder.pausedClock ? Clock.paused() : Clock.system(), blocking::inFlight,
                parkers, table == null ? IoDriver.NONE : table));
        this.closeTimeout = builder.shutdownTimeout;
        this.virtualThreads = new VirtualThreads(scheduler, virtualThreadPrefix(builder.threadNamePrefix));
        if (builder.pausedClock) {
            // Blocking work in flight holds a paused clock still; when the last of it ends, the
            // parked workers must look again whether time may jump to the next timer.
            blocking.onQuiet(scheduler::wakeAllForTimers);
        }
        scheduler.start(() -> CURRENT.set(this));
    }

    /**
     * Tasks and timers need no native code: without a backend (no platform jar and no JNA on the
     * class path, an OS without epoll) workers park on LockSupport, and only I/O will need one.
     */
    private static boolean nativeLibraryAvailable() {
        if (NativeIoOverride.isBound()) {
            return true;
        }
        return Backends.available() && Platform.current().os().equals("linux");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** "krill-worker-" names virtual threads "krill-virtual-0", "krill-virtual-1" …; another prefix gets "virtual-". */
    private static String virtualThreadPrefix(String workerPrefix) {
        return workerPrefix.endsWith("worker-")
                ? workerPrefix.substring(0, workerPrefix.length() - "worker-".length()) + "virtual-"
                : workerPrefix + "virtual-";
    }

    /**
     * The runtime of the worker thread calling this, or of the virtual thread running a body of
     * {@link #spawnVirtual}.
     *
     * @throws IllegalStateException on any other thread
     */
    public static Runtime current() {
        Runtime runtime = CURRENT.get();
        if (runtime == null) {
            if (VIRTUAL.isBound()) {
                return VIRTUAL.get();
            }
            throw new IllegalStateException("Runtime.current() called on '" + Thread.currentThread().getName()
                    + "', which is neither a Krill worker nor a virtual thread of runtime.spawnVirtual: use the Runtime you built");
        }
        return runtime;
    }

    /** Runs {@code body} once on a worker. */
    public <T> JoinHandle<T> spawn(Callable<? extends T> body) {
        Objects.requireNonNull(body, "body");
        ensureAccepting();
        return submit(new CallableTask<>(scheduler, body));
    }

    /** Runs {@code body} step by step on the workers until it completes. */
    public <T> JoinHandle<T> spawn(Coroutine<T> body) {
        Objects.requireNonNull(body, "body");
        ensureAccepting();
        return submit(new CoroutineTask<>(scheduler, body));
    }

    private <T> JoinHandle<T> submit(ScheduledTask<T> task) {
        scheduler.schedule(task, false); // created NOTIFIED: this push is its one queueing
        return task;
    }

    /**
     * Runs {@code body} on a new virtual thread, in blocking style: there {@link Task#join()}
     * parks only that virtual thread, and the operations that otherwise need a worker
     * ({@link io.krill.net.TcpListener#bind}, {@link io.krill.net.TcpStream#connect},
     * {@link io.krill.net.TcpServer#bind}, {@link io.krill.time.Time#sleep},
     * {@link io.krill.time.Time#timeout} …) run on one of this runtime's workers and hand back
     * their task. The thread finds this runtime by a scoped value bound for the body
     * ({@link #current()} answers it); a thread the body starts by other means does not.
     *
     * <pre>{@code
     * runtime.spawnVirtual(() -> {
     *     try (TcpStream stream = TcpStream.connect(address).join()) {
     *         stream.writeAll(request).join();        // parks this virtual thread only
     *         return stream.read(buffer).join();
     *     }
     * });
     * }</pre>
     *
     * <p>The body is a live task until it returns: a graceful {@link #shutdown} waits for it,
     * and spawning refuses it once shutdown began. Its failure (a cancellation excepted) goes to
     * the {@linkplain Builder#uncaughtExceptionHandler uncaught-exception handler}, as a spawned
     * task's does, and fails the handle.
     *
     * <p>Virtual threads run on the JDK's carrier threads, not on the workers; their waits are
     * Krill's (timers, readiness), completed by the workers. A paused clock does not wait for
     * them: with every worker idle it moves to the next timer even while a virtual thread
     * computes.
     *
     * <p><b>Cancellation.</b> {@link JoinHandle#abort()} (or {@code cancel()}) completes the
     * handle as cancelled at once and interrupts the thread: a blocking JDK call ends with
     * {@link InterruptedException}, {@link Task#join(Duration)} throws it, and a
     * {@link Task#join()} that waits, or would, cancels the task it waits for and throws
     * {@link java.util.concurrent.CancellationException}. The body runs on until it returns;
     * a value it returns after the cancel is closed if it is {@link AutoCloseable}. A shutdown
     * past its deadline cancels the bodies still running in the same way, and does not wait for
     * them.
     */
    public <T> JoinHandle<T> spawnVirtual(Callable<? extends T> body) {
        Objects.requireNonNull(body, "body");
        ensureAccepting();
        return virtualThreads.start(body, ScopedValue.where(VIRTUAL, this));
    }

    /** Runs blocking {@code body} on the blocking pool, never on a worker. */
    public <T> JoinHandle<T> spawnBlocking(Callable<? extends T> body) {
        Objects.requireNonNull(body, "body");
        ensureAccepting();
        return blocking.submit(body);
    }

    /**
     * Runs {@code body} on the runtime and waits for its result on this (non-worker) thread.
     *
     * @throws IllegalStateException on a worker thread, where waiting would block the worker
     */
    public <T> T blockOn(Callable<? extends T> body) {
        refuseOnWorker();
        return spawn(body).join();
    }

    /** As {@link #blockOn(Callable)}, for a coroutine. */
    public <T> T blockOn(Coroutine<T> body) {
        refuseOnWorker();
        return spawn(body).join();
    }

    /** Waits for {@code task} on this (non-worker) thread: {@code task.join()}. */
    public <T> T blockOn(Task<T> task) {
        refuseOnWorker();
        return task.join();
    }

    private static void refuseOnWorker() {
        WorkerThread worker = WorkerThread.current();
        if (worker != null) {
            throw new IllegalStateException("blockOn called on Krill worker thread '" + worker.getName()
                    + "': it would block the worker; spawn the work and compose with map/then instead");
        }
    }

    private void ensureAccepting() {
        if (!scheduler.isAccepting()) {
            throw new RejectedExecutionException("the Krill runtime is shut down: it accepts no new tasks");
        }
    }

    /**
     * Stops accepting tasks, lets live tasks finish until {@code timeout}, then cancels the rest
     * and joins every thread. Later calls wait for the first and return its answer.
     *
     * @return true when every task finished by itself in time
     */
    public boolean shutdown(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("shutdown timeout must not be negative, got " + timeout);
        }
        refuseOnWorker();
        if (VIRTUAL.isBound() && VIRTUAL.get() == this) {
            throw new IllegalStateException("shutdown called from a virtual thread of this runtime's spawnVirtual:"
                    + " it would wait for itself; shut the runtime down from outside it");
        }
        synchronized (shutdownLock) {
            if (shutdownResult != null) {
                return shutdownResult;
            }
            long deadlineNanos = System.nanoTime() + Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
            boolean interrupted = false;
            boolean clean;
            try {
                blocking.shutdown();
                // Virtual threads first, with the workers still running: what they wait for
                // (timers, readiness, tasks) needs them. Past the deadline they are cancelled.
                scheduler.stopAccepting();
                clean = virtualThreads.awaitQuiet(deadlineNanos);
                if (!clean) {
                    virtualThreads.cancelAll();
                }
                clean &= scheduler.shutdown(deadlineNanos);
                clean &= blocking.awaitTermination(deadlineNanos);
                if (connections != null) {
                    connections.close(); // every descriptor still registered, and the slots
                }
            } catch (InterruptedException e) {
                interrupted = true;
                clean = false;
            }
            if (interrupted) {
                Thread.currentThread().interrupt(); // keep the caller's interrupt
            }
            shutdownResult = clean;
            return clean;
        }
    }

    /** {@link #shutdown(Duration)} with the builder's shutdown timeout. */
    @Override
    public void close() {
        shutdown(closeTimeout);
    }

    public boolean isShutdown() {
        return !scheduler.isAccepting();
    }

    /** True when built with {@link Builder#pausedClock()}. */
    public boolean isClockPaused() {
        return scheduler.clock().isPaused();
    }

    /**
     * Paused clock only: moves time forward by {@code duration} and lets the workers fire what
     * became due. (With every worker idle, time also jumps by itself to the next timer.)
     *
     * @throws IllegalStateException when the clock is not paused
     */
    public void advanceClock(Duration duration) {
        if (!(scheduler.clock() instanceof Clock.PausedClock paused)) {
            throw new IllegalStateException("advanceClock needs a runtime built with pausedClock()");
        }
        if (duration.isNegative()) {
            throw new IllegalArgumentException("cannot advance the clock by a negative duration: " + duration);
        }
        paused.advance(saturatedNanos(duration));
        scheduler.wakeAllForTimers();
    }

    /** Nanoseconds of the runtime's clock since it started (paused or not). */
    public long clockNanos() {
        return scheduler.clock().nowNanos();
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * A snapshot of the runtime's counters: totals, each worker's, the reactor's and the
     * blocking pool's. Reads counters that their owners keep anyway, without stopping them;
     * allocates only the snapshot.
     */
    public RuntimeMetrics metrics() {
        int workerCount = scheduler.workerCount();
        RuntimeMetrics.Worker[] perWorker = new RuntimeMetrics.Worker[workerCount];
        long polls = 0;
        long steals = 0;
        long parks = 0;
        for (int i = 0; i < workerCount; i++) {
            RuntimeMetrics.Worker worker = new RuntimeMetrics.Worker(i, scheduler.polls(i), scheduler.steals(i),
                    scheduler.parks(i), scheduler.localQueueDepth(i), scheduler.busyNanos(i));
            perWorker[i] = worker;
            polls += worker.polls();
            steals += worker.steals();
            parks += worker.parks();
        }
        RuntimeMetrics.Shard[] shards = new RuntimeMetrics.Shard[pollers.length];
        long nativeCalls = 0;
        long ioEvents = 0;
        for (int i = 0; i < pollers.length; i++) {
            EpollParker poller = pollers[i];
            RuntimeMetrics.Shard shard = new RuntimeMetrics.Shard(i, poller.events(), scheduler.nativeCalls(i),
                    poller.ringHighWater(), poller.ringCapacity(), connections.liveConnections(i));
            shards[i] = shard;
            nativeCalls += shard.nativeCalls();
            ioEvents += shard.events();
        }
        RuntimeMetrics.Reactor reactor = connections == null ? RuntimeMetrics.Reactor.NONE
                : new RuntimeMetrics.Reactor(connections.liveConnections(), connections.slotHighWater(),
                        connections.slotBytes(), connections.staleEvents(), List.of(shards));
        RuntimeMetrics.BlockingPool pool = new RuntimeMetrics.BlockingPool(blocking.threads(), blocking.maxThreads(),
                blocking.busy(), blocking.queued(), blocking.completed());
        return new RuntimeMetrics(workerCount, scheduler.liveTasks(), polls, steals, parks, scheduler.injectQueueSize(),
                scheduler.searchingWorkers(), scheduler.parkedWorkers(), nativeCalls, ioEvents,
                connections == null ? "none" : connections.io().name(), List.of(perWorker), reactor, pool);
    }

    /** Settings for a {@link Runtime}; every setter checks its argument. */
    public static final class Builder {
        private int workers = java.lang.Runtime.getRuntime().availableProcessors();
        private String threadNamePrefix = "krill-worker-";
        private int localQueueCapacity = 256; // Tokio's; tune with the yield/spawn benchmarks
        private int budget = 128;             // Tokio's cooperative budget
        private int globalQueueInterval = 61; // Tokio's: a prime, so it drifts against other periods
        private int maxBlockingThreads = 64;  // guess: enough for file I/O bursts, bounded
        private Duration blockingKeepAlive = Duration.ofSeconds(10);
        private Duration shutdownTimeout = Duration.ofSeconds(10);
        private Consumer<Throwable> uncaughtExceptionHandler = failure -> org.slf4j.LoggerFactory.getLogger(Runtime.class)
                .warn("a spawned task failed and nothing handled it", failure);
        private boolean pausedClock;
        private boolean nativeParking = true;

        private Builder() {}

        public Builder workers(int count) {
            if (count < 1 || count > 32_767) {
                throw new IllegalArgumentException("workers must be in [1, 32767], got " + count);
            }
            this.workers = count;
            return this;
        }

        public Builder threadNamePrefix(String prefix) {
            this.threadNamePrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /** Capacity of each worker's local run queue: a power of two, at least 2. */
        public Builder localQueueCapacity(int capacity) {
            if (capacity < 2 || Integer.bitCount(capacity) != 1 || capacity > (1 << 30)) {
                throw new IllegalArgumentException("localQueueCapacity must be a power of two in [2, 2^30], got " + capacity);
            }
            this.localQueueCapacity = capacity;
            return this;
        }

        /** Ready awaits a task step may complete before it must yield. */
        public Builder budget(int operations) {
            if (operations < 1) {
                throw new IllegalArgumentException("budget must be at least 1, got " + operations);
            }
            this.budget = operations;
            return this;
        }

        /** Every this many ticks a worker takes outside work before its own. */
        public Builder globalQueueInterval(int ticks) {
            if (ticks < 1) {
                throw new IllegalArgumentException("globalQueueInterval must be at least 1, got " + ticks);
            }
            this.globalQueueInterval = ticks;
            return this;
        }

        public Builder maxBlockingThreads(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("maxBlockingThreads must be at least 1, got " + count);
            }
            this.maxBlockingThreads = count;
            return this;
        }

        public Builder blockingKeepAlive(Duration keepAlive) {
            if (keepAlive.isNegative()) {
                throw new IllegalArgumentException("blockingKeepAlive must not be negative, got " + keepAlive);
            }
            this.blockingKeepAlive = keepAlive;
            return this;
        }

        /** How long {@link Runtime#close()} lets tasks finish. */
        public Builder shutdownTimeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("shutdownTimeout must not be negative, got " + timeout);
            }
            this.shutdownTimeout = timeout;
            return this;
        }

        /** Called with the failure of every spawned task that fails (cancellation excepted). */
        public Builder uncaughtExceptionHandler(Consumer<Throwable> handler) {
            this.uncaughtExceptionHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * A clock that stands still (tests): it moves only by {@link Runtime#advanceClock} or, when
         * every worker is idle, straight to the next timer, as Tokio's {@code time::pause} does.
         * Timer tests then run deterministically and at once.
         */
        public Builder pausedClock() {
            this.pausedClock = true;
            return this;
        }

        /**
         * Whether idle workers sleep in epoll (Linux, the default) or on LockSupport. The I/O
         * reactor needs it on; off, the runtime needs no native library.
         */
        public Builder nativeParking(boolean enabled) {
            this.nativeParking = enabled;
            return this;
        }

        public Runtime build() {
            return new Runtime(this);
        }
    }
}
