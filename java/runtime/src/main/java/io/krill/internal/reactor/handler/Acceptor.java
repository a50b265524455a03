package io.krill.internal.reactor.handler;

import io.krill.internal.jni.Errno;
import io.krill.internal.errno.Errors;
import io.krill.internal.reactor.ConnectionTable;
import io.krill.internal.reactor.SlotDescriptor;
import io.krill.internal.reactor.SlotView;
import io.krill.time.Time;
import java.time.Duration;

/**
 * Accepts a server's connections: run by the driver of the listener's shard whenever the
 * listener's slot is ready, it accepts up to {@value #MAX_ACCEPTS_PER_TURN} connections and
 * hands each to {@link HandlerServer#adopt}. Out of descriptors (or on another accept error) it
 * pauses the listener ({@link SlotDescriptor#DRIVER_ACCEPT_PAUSED}) for a back-off that doubles
 * from {@link #MIN_BACKOFF} to {@link #MAX_BACKOFF}, instead of spinning on an edge that keeps
 * firing; the pending connections wait in the kernel's queue meanwhile.
 *
 * <p>Only the listener's driver calls {@link #acceptAll} (its steps are serialised by the task
 * state word); {@link #resume} runs on the back-off timer's worker, and touches the slot only
 * while it is paused, when the driver does not serve it.
 */
final class Acceptor {

    /** Connections accepted per turn before the listener yields to its connections (guess; about 0.5 ms of accepts). */
    static final int MAX_ACCEPTS_PER_TURN = 64;
    static final Duration MIN_BACKOFF = Duration.ofMillis(10);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(1);

    private final HandlerServer server;
    private final ConnectionTable table;
    private final SlotView listener = new SlotView();
    /** The pause after the last failure; 0 after a success. Listener driver only. */
    private long backoffNanos;

    Acceptor(HandlerServer server, ConnectionTable table) {
        this.server = server;
        this.table = table;
    }

    /** Accepts what is pending on the listener in slot {@code index}; on its driver. */
    void acceptAll(ShardDriver driver, int index) {
        table.bind(listener, index);
        if (listener.any(SlotDescriptor.DRIVER_ACCEPT_PAUSED)) {
            return;
        }
        try {
            int fd = listener.fd();
            for (int accepted = 0; accepted < MAX_ACCEPTS_PER_TURN; accepted++) {
                int child = table.io().accept(fd, 0);
                if (child >= 0) {
                    backoffNanos = 0;
                    server.adopt(child);
                    continue;
                }
                if (child == -Errno.ECONNABORTED.number()) {
                    continue; // the peer gave up before we took it
                }
                if (child == -Errno.EAGAIN.number()) {
                    return;
                }
                backOff(driver, Errors.newException("accept on " + server.localAddress(), child));
                return;
            }
            driver.requeue(index); // more may be pending: after the connections queued meanwhile
        } catch (RuntimeException | Error failure) {
            // The listener must outlive any one accept: report it, retry after a pause.
            driver.scheduler().uncaught(failure);
            backOff(driver, failure);
        }
    }

    private void backOff(ShardDriver driver, Throwable error) {
        backoffNanos = backoffNanos == 0 ? MIN_BACKOFF.toNanos() : Math.min(backoffNanos * 2, MAX_BACKOFF.toNanos());
        server.acceptFailed(error, backoffNanos);
        listener.set(SlotDescriptor.DRIVER_ACCEPT_PAUSED);
        long token = listener.token();
        Time.sleep(Duration.ofNanos(backoffNanos)).map(v -> {
            resume(driver, token);
            return null;
        });
    }

    /** The back-off is over: unpause the listener and queue it (on the timer's worker). */
    private void resume(ShardDriver driver, long token) {
        if (!table.isCurrent(token)) {
            return; // the server closed meanwhile
        }
        int index = ConnectionTable.indexOfToken(token);
        // Not the driver's thread, but the slot is not being served: it is only served while
        // QUEUED, and while paused the driver returns without touching it. A view of our own.
        SlotView view = new SlotView();
        table.bind(view, index);
        view.clear(SlotDescriptor.DRIVER_ACCEPT_PAUSED);
        if (table.markQueued(index)) {
            driver.enqueue(index);
        }
    }
}
