package io.krill.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Runtime;
import io.krill.internal.executor.WorkerThread;
import java.lang.foreign.MemorySegment;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * #12/#19: a handler connection's timeouts cost no runtime timer of their own. The driver keeps
 * one timer for all its connections' checks, so the worker's timer wheel holds a handful of
 * entries however many connections set a timeout (it held one sleep per connection before:
 * three heap objects each, which 15,000 idle connections made every young collection copy).
 */
class TimeoutFootprintTest extends LoopbackFixture {

    private static final int CONNECTIONS = 200;

    @Override
    Runtime newRuntime() {
        return Runtime.builder().workers(1).build(); // every timer on the one worker whose wheel the test reads
    }

    @Test
    void manyConnectionsWithTimeoutsArmOneTimerNotOneEach() throws Exception {
        CountDownLatch opened = new CountDownLatch(CONNECTIONS);
        TcpServer server = runtime.blockOn(() -> TcpServer.bind(loopback(0), new ConnectionHandler() {
            @Override
            public void onOpen(Connection connection) {
                connection.setIdleTimeout(Duration.ofHours(1));
                connection.setReadTimeout(Duration.ofMinutes(30));
                opened.countDown();
            }

            @Override
            public void onData(Connection connection, MemorySegment data) {}
        }));
        List<Socket> sockets = new ArrayList<>();
        try {
            int timersBefore = runtime.blockOn(() -> WorkerThread.currentTimers().size());
            for (int i = 0; i < CONNECTIONS; i++) {
                sockets.add(new Socket(server.localAddress().getAddress(), server.localAddress().getPort()));
            }
            assertTrue(opened.await(WAIT.toSeconds(), TimeUnit.SECONDS), "every connection opened");
            int timers = runtime.blockOn(() -> WorkerThread.currentTimers().size());
            assertTrue(timers - timersBefore <= 1, "the timer wheel went from " + timersBefore + " to " + timers
                    + " entries for " + CONNECTIONS + " connections with timeouts: one per driver at most");
            assertEquals(CONNECTIONS, server.connections());
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
            assertTrue(server.close(WAIT));
        }
    }
}
