package io.krill.examples;

import io.krill.Runtime;
import io.krill.net.Connection;
import io.krill.net.ConnectionHandler;
import io.krill.net.Connections;
import io.krill.net.SendResult;
import io.krill.net.TcpServer;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A line-based chat server on the handler API: every line a member sends (up to
 * {@link #MAX_LINE_BYTES}, ended by {@code \n}) is written to every other member by token,
 * from the sender's worker to theirs. A member that does not read falls behind: once its
 * connection's queue is at the high watermark, lines for it are dropped (and counted), so one
 * slow reader never holds up the room or grows the server's memory.
 */
public final class Chat implements AutoCloseable {

    /** A longer line closes its sender's connection (guess: ample for chat). */
    static final int MAX_LINE_BYTES = 4096;

    private final Runtime runtime;
    private final TcpServer server;
    private final Room room;

    private Chat(Runtime runtime, TcpServer server, Room room) {
        this.runtime = runtime;
        this.server = server;
        this.room = room;
    }

    public static Chat start(InetSocketAddress listen, int workers) {
        Runtime runtime = Runtime.builder().workers(workers).build();
        try {
            Room room = new Room();
            return new Chat(runtime, runtime.blockOn(() -> TcpServer.bind(listen, room)), room);
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    public InetSocketAddress address() {
        return server.localAddress();
    }

    public int members() {
        return room.members.size();
    }

    /** Lines not delivered to a member whose queue was full. */
    public long dropped() {
        return room.dropped.sum();
    }

    @Override
    public void close() {
        server.close();
        runtime.close();
    }

    static final class Room implements ConnectionHandler {

        final Set<Long> members = ConcurrentHashMap.newKeySet();
        /** The start of a line not yet ended, per member that has one (only then an object per member). */
        private final ConcurrentHashMap<Long, ByteArrayOutputStream> partial = new ConcurrentHashMap<>();
        final LongAdder dropped = new LongAdder();

        @Override
        public void onOpen(Connection connection) {
            members.add(connection.token());
        }

        @Override
        public void onData(Connection connection, MemorySegment data) {
            long self = connection.token();
            byte[] bytes = data.toArray(ValueLayout.JAVA_BYTE);
            int start = 0;
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] != '\n') {
                    continue;
                }
                ByteArrayOutputStream line = partial.remove(self);
                if (line == null) {
                    line = new ByteArrayOutputStream(i + 1 - start);
                }
                line.write(bytes, start, i + 1 - start);
                broadcast(connection.owner(), self, line.toByteArray());
                start = i + 1;
            }
            if (start < bytes.length) {
                ByteArrayOutputStream line = partial.computeIfAbsent(self, t -> new ByteArrayOutputStream());
                line.write(bytes, start, bytes.length - start);
                if (line.size() > MAX_LINE_BYTES) {
                    connection.close(); // not a chat client
                }
            }
        }

        private void broadcast(Connections room, long from, byte[] line) {
            for (long member : members) {
                if (member != from && room.write(member, line) == SendResult.BACKPRESSURE) {
                    dropped.increment();
                }
            }
        }

        @Override
        public void onClose(Connection connection, Throwable cause) {
            members.remove(connection.token());
            partial.remove(connection.token());
        }
    }
}
