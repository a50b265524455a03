package io.krill.benchmarks.load;

import org.HdrHistogram.Histogram;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * One client thread of {@link LoadGenerator}: its share of the connections on one
 * {@link Selector}, each a closed loop that keeps {@code pipeline} requests in flight and sends
 * the next one as soon as a response completes.
 *
 * <p>Implementation notes. Nothing is allocated per request: requests are written from the shared
 * {@link RequestPattern} through this thread's view of it, responses are read into one direct
 * buffer per thread and either compared in place with the pattern (echo, vectorised
 * {@link ByteBuffer#mismatch}) or fed to the connection's {@link HttpResponseParser}; send times
 * sit in a ring of {@code pipeline} longs per connection (request {@code i} in slot
 * {@code i % pipeline}: it completes before request {@code i + pipeline} is sent, responses
 * being in order). A request's latency runs from when it is handed to {@code write} (all of a
 * burst get the same stamp) to the read that completes its response; it is recorded if that
 * read falls in the measured window. Everything here is confined to the worker thread;
 * {@link LoadGenerator} reads the results after {@link Thread#join()}.
 */
final class LoadWorker implements Runnable {

    /** Read buffer per thread (guess: holds a burst of responses from many connections' worth of 64-byte echoes). */
    static final int READ_BUFFER_BYTES = 64 * 1024;
    /** Longest select, so the end of the run is noticed on an idle selector (guess; well below any run). */
    private static final long SELECT_TIMEOUT_MILLIS = 20;
    /** After the run, how long outstanding responses may take before they count as lost (guess:
     *  far above any latency on loopback; a server that stalls this long has failed). */
    static final long DRAIN_TIMEOUT_NANOS = 5_000_000_000L;

    private final LoadConfig config;
    private final RequestPattern pattern;
    private final ByteBuffer sendView;
    private final ByteBuffer expectedView;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    private final Selector selector;
    private final Connection[] connections;
    private final long warmupEndNanos;
    private final long endNanos;
    private final Consumer<SelectionKey> onReady = this::onReady; // one instance, not one per select

    private int openConnections;
    private long inFlight;

    // Results, read by LoadGenerator after join().
    /** Nanoseconds, 3 significant digits (0.1 %), resizing: no allocation once it covers the run's range. */
    final Histogram histogram = new Histogram(3);
    long measuredResponses;
    long measuredReadBytes;
    int wrongResponses;
    int failedConnections;
    /** The first error's description, or null. */
    String firstError;

    /** Per connection: the send and receive positions of its stream and its in-flight ring. */
    private static final class Connection {
        final SocketChannel channel;
        final long start;             // where its stream starts in the pattern
        final long[] sentAtNanos;     // request i's send time in slot i % pipeline
        final HttpResponseParser parser;
        SelectionKey key;
        int interestOps;
        long issued;                  // requests sent or queued to send
        long completed;               // responses complete
        long queuedBytes;             // issued * request bytes
        long sentBytes;               // how many of those the socket took
        long receivedBytes;           // echo only
        boolean open = true;

        Connection(SocketChannel channel, long start, int pipeline, boolean http) {
            this.channel = channel;
            this.start = start;
            this.sentAtNanos = new long[pipeline];
            this.parser = http ? new HttpResponseParser() : null;
        }
    }

    /** Takes ownership of {@code channels} (connected, non-blocking) and closes them when done. */
    LoadWorker(LoadConfig config, RequestPattern pattern, List<SocketChannel> channels, SplittableRandom random,
               long warmupEndNanos, long endNanos) throws IOException {
        this.config = config;
        this.pattern = pattern;
        this.sendView = pattern.newView();
        this.expectedView = pattern.newView();
        this.warmupEndNanos = warmupEndNanos;
        this.endNanos = endNanos;
        this.selector = Selector.open();
        this.connections = new Connection[channels.size()];
        boolean http = config.mode() == LoadConfig.Mode.HTTP;
        for (int i = 0; i < connections.length; i++) {
            long start = http ? 0 : random.nextInt(pattern.periodBytes());
            connections[i] = new Connection(channels.get(i), start, config.pipeline(), http);
        }
    }

    @Override
    public void run() {
        try {
            long now = System.nanoTime();
            for (Connection c : connections) {
                c.interestOps = SelectionKey.OP_READ;
                c.key = c.channel.register(selector, c.interestOps, c);
                openConnections++;
                for (int i = 0; i < config.pipeline(); i++) {
                    issue(c, now);
                }
                flush(c);
            }
            loop();
        } catch (IOException | RuntimeException e) {
            error("load thread failed: " + e);
            failedConnections++;
        } finally {
            for (Connection c : connections) {
                closeQuietly(c);
            }
            try {
                selector.close();
            } catch (IOException e) {
                error("closing the selector: " + e); // reported, not fatal: the run is over
            }
        }
    }

    private void loop() throws IOException {
        while (openConnections > 0) {
            long now = System.nanoTime();
            if (now >= endNanos && inFlight == 0) {
                return;
            }
            if (now >= endNanos + DRAIN_TIMEOUT_NANOS) {
                for (Connection c : connections) {
                    if (c.open && c.issued > c.completed) {
                        failed(c, (c.issued - c.completed) + " responses still missing "
                                + DRAIN_TIMEOUT_NANOS / 1_000_000_000 + " s after the run ended");
                    }
                }
                return;
            }
            selector.select(onReady, SELECT_TIMEOUT_MILLIS);
        }
    }

    private void onReady(SelectionKey key) {
        Connection c = (Connection) key.attachment();
        try {
            if (key.isReadable()) {
                read(c);
            }
            if (c.open && key.isValid() && key.isWritable()) {
                flush(c);
            }
        } catch (ProtocolException e) {
            wrong(c, "wrong http response: " + e.getMessage());
        } catch (IOException e) {
            failed(c, "connection failed: " + e);
        }
    }

    private void read(Connection c) throws IOException {
        while (true) {
            readBuffer.clear();
            int n = c.channel.read(readBuffer);
            if (n < 0) {
                failed(c, "server closed the connection with " + (c.issued - c.completed) + " responses outstanding");
                return;
            }
            if (n == 0) {
                break;
            }
            long now = System.nanoTime();
            boolean measured = now >= warmupEndNanos && now < endNanos;
            if (measured) {
                measuredReadBytes += n;
            }
            int done = c.parser != null ? c.parser.feed(readBuffer, 0, n) : echoed(c, n);
            if (done < 0) {
                return; // wrong echo, already reported
            }
            if (done > c.issued - c.completed) {
                wrong(c, "more responses than requests (" + done + " completed, " + (c.issued - c.completed) + " in flight)");
                return;
            }
            for (int i = 0; i < done; i++) {
                complete(c, now, measured);
            }
            if (n < readBuffer.capacity()) {
                break; // the socket is drained: one read saved
            }
        }
        flush(c);
    }

    /** Checks {@code n} echoed bytes against what was sent; returns responses completed, or -1 if wrong. */
    private int echoed(Connection c, int n) {
        if (c.receivedBytes + n > c.sentBytes) {
            wrong(c, "echo returned " + (c.receivedBytes + n - c.sentBytes) + " bytes more than were sent");
            return -1;
        }
        int checked = 0;
        while (checked < n) {
            int length = pattern.window(expectedView, c.start, c.receivedBytes + checked, n - checked);
            readBuffer.clear().position(checked).limit(checked + length);
            int mismatch = readBuffer.mismatch(expectedView);
            if (mismatch >= 0) {
                wrong(c, "echo differs at byte " + (c.receivedBytes + checked + mismatch) + " of the connection's stream");
                return -1;
            }
            checked += length;
        }
        long size = config.sizeBytes();
        long before = c.receivedBytes / size;
        c.receivedBytes += n;
        return (int) (c.receivedBytes / size - before);
    }

    private void complete(Connection c, long now, boolean measured) {
        long latencyNanos = now - c.sentAtNanos[(int) (c.completed % config.pipeline())];
        c.completed++;
        inFlight--;
        if (measured) {
            histogram.recordValue(Math.max(0, latencyNanos)); // a clock that went back counts as 0
            measuredResponses++;
        }
        if (now < endNanos) {
            issue(c, now); // closed loop: one out, one in
        }
    }

    private void issue(Connection c, long now) {
        c.sentAtNanos[(int) (c.issued % config.pipeline())] = now;
        c.issued++;
        c.queuedBytes += config.requestBytes();
        inFlight++;
    }

    /** Writes what is queued; asks for OP_WRITE only while the socket cannot take it all. */
    private void flush(Connection c) throws IOException {
        if (!c.open) {
            return;
        }
        while (c.sentBytes < c.queuedBytes) {
            int length = pattern.window(sendView, c.start, c.sentBytes, c.queuedBytes - c.sentBytes);
            int written = c.channel.write(sendView);
            c.sentBytes += written;
            if (written < length) {
                break;
            }
        }
        int wanted = c.sentBytes < c.queuedBytes ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ;
        if (wanted != c.interestOps) {
            c.interestOps = wanted;
            c.key.interestOps(wanted);
        }
    }

    private void wrong(Connection c, String what) {
        wrongResponses++;
        error(what);
        closeQuietly(c);
    }

    private void failed(Connection c, String what) {
        failedConnections++;
        error(what);
        closeQuietly(c);
    }

    private void error(String what) {
        if (firstError == null) {
            firstError = what;
        }
    }

    private void closeQuietly(Connection c) {
        if (!c.open) {
            return;
        }
        c.open = false;
        openConnections--;
        inFlight -= c.issued - c.completed;
        try {
            c.channel.close(); // also cancels its key
        } catch (IOException e) {
            error("closing a connection: " + e); // the connection is done either way
        }
    }
}
