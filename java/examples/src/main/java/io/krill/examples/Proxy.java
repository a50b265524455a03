package io.krill.examples;

import io.krill.Runtime;
import io.krill.net.Connection;
import io.krill.net.ConnectionHandler;
import io.krill.net.Connections;
import io.krill.net.SendResult;
import io.krill.net.TcpServer;
import io.krill.time.Time;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A TCP proxy on the handler API alone: every connection accepted on the listening address is
 * relayed, both ways, to a connection of its own to the upstream address; a half-close (FIN)
 * crosses the proxy in each direction, and a failure on one side closes the other.
 *
 * <p>Both sides are the server's connections, served by one handler: the upstream side is
 * opened by {@link Connections#connect} from the accepted side's onOpen, with the accepted
 * side's token as its first user long. Each side keeps its partner's token there
 * ({@link #PARTNER}), so the proxy holds no Java object per connection pair, and the sides are
 * told apart by it: an accepted connection opens with 0. Bytes cross by token
 * ({@link Connections#write(long, byte[])}), as the two sides may live on different workers.
 * The accepted side reads nothing until its upstream side is open; when a side answers
 * {@link SendResult#BACKPRESSURE}, the reading side pauses and retries the same bytes after
 * {@link #RETRY}: a slow upstream slows the client, and nothing is buffered without bound.
 */
public final class Proxy implements AutoCloseable {

    /** The user area's long holding the partner's token: 0 until it is known. */
    static final int PARTNER = 0;
    /** A backpressured relay tries again after this (guess: a few socket drains at loopback speed). */
    static final Duration RETRY = Duration.ofMillis(1);

    private final Runtime runtime;
    private final TcpServer server;

    private Proxy(Runtime runtime, TcpServer server) {
        this.runtime = runtime;
        this.server = server;
    }

    /** Listens on {@code listen} (port 0 picks one, see {@link #address()}) and relays to {@code upstream}. */
    public static Proxy start(InetSocketAddress listen, InetSocketAddress upstream, int workers) {
        Runtime runtime = Runtime.builder().workers(workers).build();
        try {
            return new Proxy(runtime, runtime.blockOn(() -> TcpServer.bind(listen, new Relay(upstream))));
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    public InetSocketAddress address() {
        return server.localAddress();
    }

    /** Connections open now, both sides counted. */
    public int connections() {
        return server.connections();
    }

    @Override
    public void close() {
        server.close();
        runtime.close();
    }

    /** The handler of both sides: relays what a side reads to its partner, passes FIN on, drops the pair on failure. */
    static final class Relay implements ConnectionHandler {

        private final InetSocketAddress upstream;

        Relay(InetSocketAddress upstream) {
            this.upstream = upstream;
        }

        @Override
        public void onOpen(Connection connection) {
            long self = connection.token();
            Connections all = connection.owner();
            long partner = connection.getLong(PARTNER);
            if (partner == 0) {
                // Accepted: read nothing until the upstream side is open and introduces itself.
                connection.pauseReading();
                all.connect(upstream, self).handle((upstreamToken, failure) -> {
                    if (failure != null) {
                        all.closeConnection(self); // upstream refused: close the client too
                    }
                    return null;
                });
            } else if (all.execute(partner, accepted -> {
                accepted.putLong(PARTNER, self);
                accepted.resumeReading();
            }) == SendResult.CLOSED) {
                connection.close(); // the client left while we connected
            }
        }

        @Override
        public void onData(Connection connection, MemorySegment data) {
            relay(connection, data.toArray(ValueLayout.JAVA_BYTE));
        }

        /** Sends {@code bytes} to the partner; on backpressure pauses this side and retries them later. */
        private static void relay(Connection connection, byte[] bytes) {
            Connections all = connection.owner();
            SendResult result = all.write(connection.getLong(PARTNER), bytes);
            if (result == SendResult.BACKPRESSURE) {
                long self = connection.token();
                connection.pauseReading();
                Time.sleep(RETRY).map(v -> all.execute(self, later -> {
                    later.resumeReading(); // reads resume after this action: the retried bytes go first
                    relay(later, bytes);
                }));
            } else if (result == SendResult.CLOSED) {
                connection.close(); // the partner is gone: so is the pair
            }
        }

        @Override
        public void onReadEnd(Connection connection) {
            // The peer sent FIN: pass it on, after the bytes relayed before it. This side's own
            // output is shut when the partner's peer finishes in turn (the partner's onReadEnd);
            // a side closes once both its directions have ended.
            connection.owner().execute(connection.getLong(PARTNER), Connection::shutdownOutput);
        }

        @Override
        public void onClose(Connection connection, Throwable cause) {
            long partner = connection.getLong(PARTNER);
            if (cause != null && partner != 0) {
                connection.owner().closeConnection(partner); // a reset or an error on this side: drop the pair
            }
        }
    }
}
