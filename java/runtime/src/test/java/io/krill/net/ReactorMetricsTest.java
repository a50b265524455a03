package io.krill.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.RuntimeMetrics;
import io.krill.Task;
import java.net.Socket;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The reactor's part of {@link io.krill.Runtime#metrics()} over a real loopback connection, on
 * each backend (#14's matrix runs this package on JNI and JNA): open connections go up with an
 * accepted connection and back down when it closes, each shard's counts add up to the totals,
 * and the events that woke the accept raised the ring's high-water mark.
 */
@EnabledOnOs(OS.LINUX)
class ReactorMetricsTest extends LoopbackFixture {

    private static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(5);
        }
    }

    private static int shardsOpen(RuntimeMetrics metrics) {
        return metrics.reactor().shards().stream().mapToInt(RuntimeMetrics.Shard::openConnections).sum();
    }

    private int open() {
        return runtime.metrics().reactor().openConnections();
    }

    @Test
    void openConnectionsFollowAnAcceptedConnectionAndTheRingSawItsEvents() throws Exception {
        RuntimeMetrics start = runtime.metrics();
        assertEquals(System.getProperty("krill.test.backend", "jni"), start.backend());
        assertEquals(2, start.reactor().shards().size());
        assertEquals(0, start.reactor().openConnections(), start.toString());
        TcpListener listener = runtime.blockOn(() -> TcpListener.bind(loopback(0)));
        try {
            assertEquals(1, open(), "the listener is registered");
            Task<TcpStream> accepting = runtime.blockOn(listener::accept);
            try (Socket client = new Socket(listener.localAddress().getAddress(), listener.localAddress().getPort())) {
                TcpStream accepted = accepting.join(WAIT);
                assertEquals(client.getLocalPort(), accepted.peerAddress().getPort(), "the client's connection");
                RuntimeMetrics connected = runtime.metrics();
                assertEquals(2, connected.reactor().openConnections(), "the listener and the accepted stream: " + connected);
                assertEquals(2, shardsOpen(connected), "the shards' counts add up: " + connected);
                assertTrue(connected.reactor().slotHighWater() >= 2, connected.toString());
                assertTrue(connected.reactor().slotBytes() > 0, connected.toString());
                long events = 0;
                long calls = 0;
                int highWater = 0;
                for (RuntimeMetrics.Shard shard : connected.reactor().shards()) {
                    assertTrue(shard.ringHighWater() <= shard.ringCapacity(), shard.toString());
                    events += shard.events();
                    calls += shard.nativeCalls();
                    highWater = Math.max(highWater, shard.ringHighWater());
                }
                assertEquals(connected.ioEvents(), events, "the total is the shards' sum");
                assertEquals(connected.nativeCalls(), calls, "the total is the shards' sum");
                assertTrue(events > start.ioEvents(), "the connection's arrival was an event: " + connected);
                assertTrue(highWater >= 1, "a poll returned it through the ring: " + connected);
                accepted.close();
                waitFor("the accepted stream deregistered", () -> open() == 1);
                assertEquals(1, shardsOpen(runtime.metrics()));
            }
        } finally {
            listener.close();
        }
        waitFor("the listener deregistered", () -> open() == 0);
        RuntimeMetrics end = runtime.metrics();
        assertEquals(0, shardsOpen(end), end.toString());
        assertTrue(end.reactor().slotHighWater() >= 2, "a high-water mark stays: " + end);
    }
}
