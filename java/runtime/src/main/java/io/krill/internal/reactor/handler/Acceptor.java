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
 * state word) and only it touches the listener's driver flags. {@link #resume} runs on the
 * back-off timer's worker: it says the pause is over in a field of this object and queues the
 * listener's slot by token, with a CAS that checks the slot's generation, so a listener closed
 * (and its slot given to another connection) before the timer fired is left alone.
 */
final class Acceptor {

    /** Connections accepted per turn before the listener yields to its connections (guess; about 0.5 ms of accepts). */
    static final int MAX_ACCEPTS_PER_TURN = 64;

    private final HandlerServer server;
    private final ConnectionTable table;
    private final SlotView listener = new SlotView();
    /** Set by the back-off timer, taken by the driver: the paused listener may accept again. */
    private volatile boolean pauseOver;

    Acceptor(HandlerServer server, ConnectionTable table) {
        this.server = server;
        this.table = table;
    }

    /** Accepts what is pending on the listener in slot {@code index}; on its driver. */
    void acceptAll(ShardDriver driver, int index) {
        table.bind(listener, index);
        if (listener.any(SlotDescriptor.DRIVER_ACCEPT_PAUSED)) {
            if (!pauseOver) {
                return; // an edge during the pause: the timer queues the listener again
            }
            pauseOver = false;
            listener.clear(SlotDescriptor.DRIVER_ACCEPT_PAUSED);
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
            driver.requeue(listener.token()); // more may be pending: after the connections queued meanwhile
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

    /**
     * The back-off is over (on the timer's worker): let the driver unpause the listener, and
     * queue it unless an edge already did. A stale token (the server closed meanwhile) queues
     * nothing.
     */
    private void resume(ShardDriver driver, long token) {
        pauseOver = true;
        if (table.markQueued(token)) {
            driver.enqueue(ConnectionTable.indexOfToken(token));
        }
    }
}
