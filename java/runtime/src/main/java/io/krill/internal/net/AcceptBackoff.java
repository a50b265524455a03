package io.krill.internal.net;

import io.krill.internal.jni.Errno;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a listener does when accepting fails for a reason that passes: it waits and tries again,
 * neither failing the accept nor spinning, and warns once per cause with what to do. One per
 * listener, for {@code TcpListener} (Task API) and the handler API's {@code Acceptor} alike.
 *
 * <p>Why a timer and not the next edge: a pending connection keeps the listener readable, so no
 * new edge comes, and an immediate retry would fail the same way (Netty and Tokio also sleep on
 * EMFILE). Which failures pass: the system short of descriptors (EMFILE, ENFILE), of socket
 * buffers (ENOBUFS) or memory (ENOMEM), a connection that broke in the queue (EPROTO), and
 * epoll refusing the accepted descriptor for want of watches (ENOSPC) or memory (ENOMEM); the
 * descriptor is closed then. Anything else (EBADF, EINVAL, ENOTSOCK …) says the listener
 * itself is broken: waiting does not mend it.
 *
 * <p>One accept runs at a time per listener (its steps handed from worker to worker through
 * task completions, or the listener's driver), so the delay is a plain field; the count is
 * volatile for readers elsewhere (tests, metrics), and the warned set atomic, as the warnings
 * may come from different workers.
 */
public final class AcceptBackoff {

    /** First wait: a few closes elsewhere may be all it takes (guess). */
    public static final long FIRST_MILLIS = 10;
    /** Longest wait: a second keeps a starved process responsive without burning CPU (guess). */
    public static final long MAX_MILLIS = 1_000;

    /** Why accept waits: each is warned of once per listener. */
    public enum Cause {
        PROCESS_DESCRIPTORS("out of file descriptors (EMFILE: this process reached its open-file limit, RLIMIT_NOFILE)",
                "raise the limit (ulimit -n, or LimitNOFILE= for a systemd service) or hold fewer connections"),
        SYSTEM_DESCRIPTORS("out of file descriptors (ENFILE: the system reached its open-file limit, fs.file-max)",
                "raise the limit (sysctl fs.file-max) or hold fewer connections"),
        SOCKET_BUFFERS("the kernel has no buffer space for a new connection (ENOBUFS)",
                "look at socket memory (/proc/net/sockstat against sysctl net.ipv4.tcp_mem) and the host's free memory"),
        KERNEL_MEMORY("the kernel is out of memory for a new connection (ENOMEM)",
                "free memory on the host or hold fewer connections"),
        BROKEN_IN_QUEUE("a connection broke while it waited in the queue (EPROTO); it is lost",
                "nothing if it is rare; if it repeats, look at the network path to the clients"),
        WATCH_LIMIT("epoll refused an accepted connection (ENOSPC: the user's epoll watches, fs.epoll.max_user_watches, "
                + "are used up), which was closed", "raise sysctl fs.epoll.max_user_watches or hold fewer connections"),
        WATCH_MEMORY("epoll refused an accepted connection (ENOMEM: no kernel memory to watch it), which was closed",
                "free memory on the host or hold fewer connections"),
        /** Handler API only: a failure that does not pass, retried at the back-off's pace so as not to spin. */
        UNEXPECTED("accept failed, and waiting is not known to mend it",
                "check the listener (a descriptor closed by other code?) and restart the server if it goes on");

        private final String what;
        private final String remedy;

        Cause(String what, String remedy) {
            this.what = what;
            this.remedy = remedy;
        }
    }

    /*
     * Loads and initialises Cause with this class (made with each listener), not at the first
     * EMFILE, when reading its class file from a directory would need a descriptor that is not
     * there (see AcceptWarning); and checks that the warned set has a bit for each cause.
     */
    static {
        if (Cause.values().length > Integer.SIZE) {
            throw new AssertionError("the warned set holds one bit per cause");
        }
    }

    /** The cause of an {@code accept(2)} result that passes, or null for one that does not. */
    public static Cause ofAccept(int result) {
        int errno = -result;
        if (errno == Errno.EMFILE.number()) {
            return Cause.PROCESS_DESCRIPTORS;
        }
        if (errno == Errno.ENFILE.number()) {
            return Cause.SYSTEM_DESCRIPTORS;
        }
        if (errno == Errno.ENOBUFS.number()) {
            return Cause.SOCKET_BUFFERS;
        }
        if (errno == Errno.ENOMEM.number()) {
            return Cause.KERNEL_MEMORY;
        }
        if (errno == Errno.EPROTO.number()) {
            return Cause.BROKEN_IN_QUEUE;
        }
        return null;
    }

    /**
     * The cause of a failure to register an accepted descriptor with epoll that passes, or null.
     *
     * @param errno the positive errno of the failed {@code epoll_ctl(ADD)}
     */
    public static Cause ofRegistration(int errno) {
        if (errno == Errno.ENOSPC.number()) {
            return Cause.WATCH_LIMIT;
        }
        if (errno == Errno.ENOMEM.number()) {
            return Cause.WATCH_MEMORY;
        }
        return null;
    }

    private final AcceptWarning warning;
    private final String kind;
    // Plain: one accept at a time (see the class notes).
    private long nextMillis = FIRST_MILLIS;
    // Written by the accepting step only; volatile for readers anywhere.
    private volatile long backoffs;
    private final AtomicInteger warned = new AtomicInteger(); // a bit per Cause ordinal

    /** @param kind "listener" or "server", for "Logged once per listener" */
    public AcceptBackoff(AcceptWarning warning, String kind) {
        this.warning = warning;
        this.kind = kind;
    }

    /**
     * A failure of {@code cause}: counts it, warns if it is the first of its cause, and returns
     * how long to wait before the next accept (doubling from {@value #FIRST_MILLIS} ms to
     * {@value #MAX_MILLIS} ms).
     *
     * @param where the listener, for the warning ("accept(/127.0.0.1:8080)")
     * @param detail the failure's own message for {@link Cause#UNEXPECTED}, else null
     */
    public long next(Cause cause, String where, String detail) {
        long delayMillis = nextMillis;
        nextMillis = Math.min(delayMillis * 2, MAX_MILLIS);
        backoffs++; // one writer at a time (see the class notes); volatile for readers
        if (firstOf(cause)) {
            warning.warn(where + ": " + cause.what + (detail != null ? " [" + detail + "]" : "")
                    + "; pending connections wait in the backlog and accept retries every " + FIRST_MILLIS + " ms to "
                    + MAX_MILLIS + " ms. What to do: " + cause.remedy + ". Logged once per " + kind + " for this cause.");
        }
        return delayMillis;
    }

    /** True for the first failure of {@code cause}; a CAS loop, not a lambda: nothing to spin up at EMFILE. */
    private boolean firstOf(Cause cause) {
        int bit = 1 << cause.ordinal(); // fewer than 32 causes: see the static block
        for (;;) {
            int bits = warned.get();
            if ((bits & bit) != 0) {
                return false;
            }
            if (warned.compareAndSet(bits, bits | bit)) {
                return true;
            }
        }
    }

    /** An accept succeeded: the next failure waits the shortest time again. */
    public void reset() {
        nextMillis = FIRST_MILLIS;
    }

    /** Back-offs so far (each a failed accept, or an accepted descriptor epoll refused). */
    public long backoffs() {
        return backoffs;
    }
}
