package io.krill.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Task;
import io.krill.time.Time;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * #13: accept and connect given up on in a storm of timeouts and races (0-2 ms, about as long
 * as a loopback handshake, so many land while the call completes), on two workers. Nothing
 * leaks and nothing is lost: every connection a connect delivered is accepted exactly once
 * (a stream an accept took but lost was kept for the next accept), every stream a connect
 * took but lost was closed, and the fixture finds the descriptors back where they were.
 */
@EnabledOnOs(OS.LINUX)
class AcceptConnectStormTest extends LoopbackFixture {

    private static final int CHAINS = 8;
    private static final int CONNECTS_PER_CHAIN = 40;

    private static Duration jitter() {
        return Duration.ofNanos(ThreadLocalRandom.current().nextLong(2_000_000));
    }

    /** A connect under a timeout, a race against a timer, or a race it loses at once; null when given up on. */
    private static Task<TcpStream> connectOrGiveUp(InetSocketAddress address) {
        return switch (ThreadLocalRandom.current().nextInt(5)) {
            case 0, 1 -> Time.timeout(jitter(), TcpStream.connect(address)).handle((stream, failure) -> stream);
            case 2, 3 -> Task.race(TcpStream.connect(address), Time.sleep(jitter()).map(v -> (TcpStream) null));
            default -> Task.race(Task.completed((TcpStream) null), TcpStream.connect(address));
        };
    }

    private static int localPort(TcpStream stream) {
        try {
            return stream.localAddress().getPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Connects, keeping each delivered stream open until the end: a closed client's port sits in
     * TIME_WAIT, which Linux lets a new loopback connect take again (tcp_tw_reuse=2, the
     * default), so only open streams keep local ports unique names for connections.
     */
    private Task<Void> connectChain(InetSocketAddress address, int left, Set<Integer> delivered, AtomicInteger givenUp,
            List<TcpStream> open) {
        if (left == 0) {
            return Task.completed(null);
        }
        return connectOrGiveUp(address).then(stream -> {
            if (stream == null) {
                givenUp.incrementAndGet();
            } else {
                synchronized (open) {
                    open.add(stream);
                }
                assertTrue(delivered.add(localPort(stream)), "one local port, one delivered connection");
            }
            return connectChain(address, left - 1, delivered, givenUp, open);
        });
    }

    /** Accepts under timeouts and races until the clients are done and an accept of 300 ms finds nothing. */
    private Task<Void> acceptLoop(TcpListener listener, AtomicBoolean clientsDone, List<Integer> peers, AtomicInteger givenUp) {
        boolean draining = clientsDone.get();
        Task<TcpStream> attempt;
        if (draining) {
            attempt = Time.timeout(Duration.ofMillis(300), listener.accept()).handle((stream, failure) -> stream);
        } else {
            attempt = switch (ThreadLocalRandom.current().nextInt(3)) {
                case 0 -> Time.timeout(jitter(), listener.accept()).handle((stream, failure) -> stream);
                case 1 -> Task.race(listener.accept(), Time.sleep(jitter()).map(v -> (TcpStream) null));
                // lost for certain, often after it took a queued connection: that one must be kept for the next accept
                default -> Task.race(Task.completed((TcpStream) null), listener.accept());
            };
        }
        return attempt.then(stream -> {
            if (stream == null) {
                if (draining) {
                    return Task.completed(null); // the clients are done and nothing more is queued
                }
                givenUp.incrementAndGet();
            } else {
                synchronized (peers) {
                    peers.add(stream.peerAddress().getPort());
                }
                stream.close();
            }
            return acceptLoop(listener, clientsDone, peers, givenUp);
        });
    }

    @Test
    void acceptsAndConnectsGivenUpOnLoseNoConnectionAndLeakNoDescriptor() throws Exception {
        TcpListener listener = runtime.blockOn(() -> TcpListener.builder().backlog(1024).bind(loopback(0)));
        InetSocketAddress address = listener.localAddress();
        Set<Integer> delivered = ConcurrentHashMap.newKeySet();
        List<Integer> accepted = new ArrayList<>();
        AtomicInteger connectsGivenUp = new AtomicInteger();
        AtomicInteger acceptsGivenUp = new AtomicInteger();
        AtomicBoolean clientsDone = new AtomicBoolean();
        Task<Void> acceptor = runtime.blockOn(() -> acceptLoop(listener, clientsDone, accepted, acceptsGivenUp));
        List<Task<Void>> chains = new ArrayList<>();
        List<TcpStream> open = new ArrayList<>();
        for (int i = 0; i < CHAINS; i++) {
            chains.add(runtime.blockOn(() -> connectChain(address, CONNECTS_PER_CHAIN, delivered, connectsGivenUp, open)));
        }
        for (Task<Void> chain : chains) {
            chain.join(WAIT);
        }
        clientsDone.set(true);
        acceptor.join(WAIT);
        synchronized (open) {
            open.forEach(TcpStream::close);
        }

        List<Integer> peers;
        synchronized (accepted) {
            peers = new ArrayList<>(accepted);
        }
        assertEquals(peers.size(), Set.copyOf(peers).size(), "no connection accepted twice");
        assertTrue(Set.copyOf(peers).containsAll(delivered), "every connection a connect delivered was accepted: missing "
                + delivered.stream().filter(port -> !peers.contains(port)).toList());
        assertTrue(connectsGivenUp.get() > 0 && acceptsGivenUp.get() > 0,
                "the storm gave up on some of each: " + connectsGivenUp + " connects, " + acceptsGivenUp + " accepts");
        System.out.println("AcceptConnectStormTest: " + delivered.size() + " connects delivered, " + connectsGivenUp
                + " given up on; " + peers.size() + " accepts delivered, " + acceptsGivenUp + " given up on");

        // Still usable: one more connection is accepted at once.
        Task<TcpStream> next = runtime.blockOn(() -> listener.accept());
        try (TcpStream client = runtime.blockOn(() -> TcpStream.connect(address)).join(WAIT);
             TcpStream server = next.join(WAIT)) {
            assertEquals(localPort(client), server.peerAddress().getPort());
        }
        listener.close();
    }
}
