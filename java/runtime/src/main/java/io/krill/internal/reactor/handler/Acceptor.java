package io.krill.internal.reactor.handler;

import io.krill.internal.jni.Errno;
import io.krill.internal.errno.Errors;
import io.krill.internal.net.AcceptBackoff;
import io.krill.internal.reactor.ConnectionTable;
import io.krill.internal.reactor.SlotDescriptor;
import io.krill.internal.reactor.SlotView;
import io.krill.time.Time;
import java.time.Duration;

/**
 * Accepts a server's connections: run by the driver of the listener's shard whenever the
 * listener's slot is ready, it accepts up to {@value #MAX_ACCEPTS_PER_TURN} connections and
 * hands each to {@link HandlerServer#adopt}. When accepting fails, or epoll refuses an accepted
 * descriptor for want of watches or memory (adopt closes it), it pauses the listener
 * ({@link SlotDescriptor#DRIVER_ACCEPT_PAUSED}) for the server's {@link AcceptBackoff} delay
 * instead of spinning on a listener that stays readable; the pending connections wait in the
 * kernel's queue meanwhile. Failures that pass (EMFILE, ENOBUFS, EPROTO …: see AcceptBackoff)
 * and those that do not (EBADF …) are both retried so: a server has no caller to fail, and a
 * broken listener retried once a second costs nothing; the warning tells them apart.
 *
 * <p>Only the listener's driver calls {@link #acceptAll} (its steps are serialised by the task
 * state word); {@link #resume} runs on the back-off timer's worker, and touches the slot only
 * while it is paused, when the driver does not serve it.
 */
final class Acceptor {

    /** Connections accepted per turn before the listener yields to its connections (guess; about 0.5 ms of accepts). */
    static final int MAX_ACCEPTS_PER_TURN = 64;

    private final HandlerServer server;
    private final ConnectionTable table;
    private final SlotView listener = new SlotView();

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
                    AcceptBackoff.Cause refused = server.adopt(child);
                    if (refused != null) {
                        backOff(driver, refused, null);
                        return;
                    }
                    server.acceptBackoff().reset();
                    continue;
                }
                if (child == -Errno.ECONNABORTED.number()) {
                    continue; // the peer gave up before we took it
                }
                if (child == -Errno.EAGAIN.number()) {
                    return;
                }
                AcceptBackoff.Cause cause = AcceptBackoff.ofAccept(child);
                backOff(driver, cause != null ? cause : AcceptBackoff.Cause.UNEXPECTED,
                        cause != null ? null : Errors.newException("accept", child).getMessage());
                return;
            }
            driver.requeue(index); // more may be pending: after the connections queued meanwhile
        } catch (RuntimeException | Error failure) {
            // The listener must outlive any one accept: report it, retry after a pause.
            driver.scheduler().uncaught(failure);
            backOff(driver, AcceptBackoff.Cause.UNEXPECTED, failure.toString());
        }
    }

    private void backOff(ShardDriver driver, AcceptBackoff.Cause cause, String detail) {
        long delayMillis = server.acceptBackoff().next(cause, "accept(" + server.localAddress() + ")", detail);
        listener.set(SlotDescriptor.DRIVER_ACCEPT_PAUSED);
        long token = listener.token();
        Time.sleep(Duration.ofMillis(delayMillis)).map(v -> {
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
