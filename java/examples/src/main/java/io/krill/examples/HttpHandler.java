package io.krill.examples;

import io.krill.net.Connection;
import io.krill.net.ConnectionHandler;
import io.krill.net.WriteResult;
import io.krill.time.Time;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code ci/serve http}: {@link Serve}'s HTTP/1.1 keep-alive server on the handler API, with the
 * promises of the Task-API one ({@code http-task}, {@link Serve.HttpConnection}) and no Java
 * object per connection: its timeouts are a row of primitive arrays in its driver, which keeps
 * one timer for all of them (#12: under bursts of idle connections, the Task API's coroutine,
 * stream, reader and idle sleep per connection outlived young collections, and copying them
 * stalled the server's core). One handler serves every connection; what a connection needs between reads lives in
 * the 16-byte user area of its slot:
 *
 * <pre>
 *  0                               8               12              16
 * +-------------------------------+---------------+---------------+
 * |  head since (long, ns)        |  parse state  |  owed answers |
 * +-------------------------------+---------------+---------------+
 * </pre>
 *
 * <ul>
 *   <li>head since: the runtime clock ({@link Time#nanoTime()}) at the read that began the
 *       unfinished head; meaningful only while the parse state says a head is unfinished;</li>
 *   <li>parse state: {@link HeadCounter}'s state word; the request bytes are never copied (the
 *       answer does not depend on them) and never scanned twice;</li>
 *   <li>owed answers: heads counted but not answered yet, because the connection's queued
 *       output reached the high watermark; reading is paused while any are owed.</li>
 * </ul>
 *
 * <p>The promises, and how they are kept:
 * <ul>
 *   <li>the k heads one read completes are answered by one write, a slice of the
 *       {@code responses} block (more than {@link Serve#RESPONSES_PER_WRITE}: several writes);</li>
 *   <li>a head longer than {@link Serve#MAX_HEAD_BYTES} (complete or not) gets the 431 and a
 *       half-close, so that the answer and FIN leave before the connection closes (a close
 *       with unread bytes would send a reset instead, which may destroy the answer); it closes
 *       when the client ends its side, sends anything more, or stays silent for a head timeout;</li>
 *   <li>a head not complete a head timeout after its first byte is closed: each read checks the
 *       head's age, and while a head is unfinished the read timeout is what is left of its time
 *       (so a head that stalls is closed by the timer at its deadline, one that drips at the
 *       first read after it); a connection that neither reads nor writes for the idle timeout
 *       is closed by its idle timeout;</li>
 *   <li>backpressure: when a write answers {@link WriteResult#ABOVE_HIGH_WATERMARK} the rest of
 *       the answers are owed and reading is paused; {@link #onWritable} writes them and resumes
 *       reading once all are out, so a client that does not read costs at most the high
 *       watermark and one write's answers.</li>
 * </ul>
 *
 * <p>Callbacks run on every worker at once (each for its own connections): the handler's own
 * fields are final, but for the queue figure kept for tests ({@link #mostQueuedBytes()}).
 * Nothing is allocated per read, nor per connection once the driver's timeout rows have grown
 * to the connection count (see {@code Timeouts}).
 */
final class HttpHandler implements ConnectionHandler {

    /** The user area's long: when the unfinished head began (see the class notes). */
    static final int HEAD_SINCE = 0;
    /** The user area's int: {@link HeadCounter}'s state word. */
    static final int PARSE_STATE = 8;
    /** The user area's int: answers owed while the output is above the high watermark. */
    static final int OWED = 12;

    /**
     * Read timeouts for the rest of a head's time come from a table made once (a Duration per
     * read would be garbage per read): the rest rounded up to a 64th of the head timeout, so a
     * stalled head is closed at most 1/64 of it late (156 ms of 10 s). Guess: finer than the
     * reads of any dripping client that matters, and the table is 64 references.
     */
    static final int HEAD_REST_STEPS = 64;

    private final MemorySegment responses;
    private final long responseBytes;
    private final MemorySegment headTooLarge;
    private final HeadCounter heads = new HeadCounter(Serve.MAX_HEAD_BYTES);
    private final Duration idleTimeout;
    private final Duration headTimeout;
    private final long headNanos;
    private final long headRestStepNanos;
    /** headRest[k]: (k + 1) steps of {@link #headRestStepNanos}, at most the head timeout. */
    private final Duration[] headRest = new Duration[HEAD_REST_STEPS];
    /** The most bytes one connection had queued after a write that reached the high watermark (tests read it). */
    private final AtomicInteger mostQueuedBytes = new AtomicInteger();

    /**
     * @param responses    {@link Serve#RESPONSES_PER_WRITE} copies of {@link Serve#RESPONSE}, back to back
     * @param headTooLarge {@link Serve#HEAD_TOO_LARGE}
     */
    HttpHandler(MemorySegment responses, MemorySegment headTooLarge, Serve.Limits limits) {
        this.responses = responses;
        this.responseBytes = Serve.RESPONSE.length;
        this.headTooLarge = headTooLarge;
        this.idleTimeout = limits.idle();
        this.headTimeout = limits.head();
        this.headNanos = limits.head().toNanos();
        if (headNanos <= 0) {
            throw new IllegalArgumentException("the head timeout must be positive, got " + limits.head());
        }
        this.headRestStepNanos = Math.max(1, (headNanos + HEAD_REST_STEPS - 1) / HEAD_REST_STEPS);
        for (int k = 0; k < HEAD_REST_STEPS; k++) {
            headRest[k] = Duration.ofNanos(Math.min(headNanos, (k + 1) * headRestStepNanos));
        }
    }

    @Override
    public void onOpen(Connection connection) {
        connection.setIdleTimeout(idleTimeout);
    }

    @Override
    public void onData(Connection connection, MemorySegment data) {
        int state = connection.getInt(PARSE_STATE);
        if (HeadCounter.refused(state)) {
            connection.close(); // it had its 431 and FIN, and talks on: no more patience
            return;
        }
        boolean partial = HeadCounter.partial(state);
        long now = 0;
        if (partial) {
            now = Time.nanoTime();
            if (now - connection.getLong(HEAD_SINCE) >= headNanos) {
                connection.close(); // dripped past its head timeout: never answered
                return;
            }
        }
        long counted = heads.count(data, state);
        int next = HeadCounter.state(counted);
        if (next != state) {
            connection.putInt(PARSE_STATE, next);
        }
        if (HeadCounter.refused(next)) {
            refuse(connection);
            return;
        }
        int completed = HeadCounter.heads(counted);
        if (HeadCounter.partial(next)) {
            if (!partial || completed > 0) { // this read began the unfinished head
                connection.putLong(HEAD_SINCE, partial ? now : Time.nanoTime());
                connection.setReadTimeout(headTimeout);
            } else {
                connection.setReadTimeout(headRest(connection.getLong(HEAD_SINCE) + headNanos - now));
            }
        } else if (partial) {
            connection.setReadTimeout(null); // no head unfinished: only the idle timeout counts
        }
        if (completed > 0) {
            int owed = answer(connection, completed);
            if (owed > 0) {
                connection.putInt(OWED, owed);
            }
        }
    }

    @Override
    public void onWritable(Connection connection) {
        int owed = connection.getInt(OWED);
        int left = owed == 0 ? 0 : answer(connection, owed);
        if (left != owed) {
            connection.putInt(OWED, left);
        }
        if (connection.isWritable()) {
            connection.resumeReading(); // all answered and still below the high watermark
        }
    }

    /**
     * Writes {@code owed} answers, {@link Serve#RESPONSES_PER_WRITE} per write; stops (and
     * pauses reading) at a write that takes the queue to the high watermark.
     *
     * @return the answers left to write (still owed)
     */
    private int answer(Connection connection, int owed) {
        while (owed > 0) {
            int batch = Math.min(owed, Serve.RESPONSES_PER_WRITE);
            owed -= batch;
            WriteResult result = connection.write(responses, 0, batch * responseBytes);
            if (result != WriteResult.WRITTEN) {
                if (result == WriteResult.ABOVE_HIGH_WATERMARK) {
                    connection.pauseReading(); // onWritable writes the rest and resumes
                    mostQueuedBytes.accumulateAndGet(connection.queuedBytes(), Math::max);
                }
                return owed; // FAILED: onClose follows with the cause
            }
        }
        return 0;
    }

    /** A head over the limit: 431, then FIN after it; the connection closes as the class notes say. */
    private void refuse(Connection connection) {
        WriteResult result = connection.write(headTooLarge);
        if (result == WriteResult.FAILED) {
            return; // onClose follows with the cause
        }
        connection.shutdownOutput();
        connection.setReadTimeout(headTimeout); // a client that neither closes nor talks is closed after a head timeout
    }

    /** A read timeout of at least {@code leftNanos} (at most one step more), from the table. */
    private Duration headRest(long leftNanos) {
        long steps = (Math.max(1, leftNanos) + headRestStepNanos - 1) / headRestStepNanos;
        return headRest[(int) Math.min(HEAD_REST_STEPS, steps) - 1];
    }

    /** The most bytes one connection had queued after a write that reached the high watermark, so far. */
    int mostQueuedBytes() {
        return mostQueuedBytes.get();
    }
}
