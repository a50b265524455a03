package io.krill.net;

import io.krill.Task;
import io.krill.internal.reactor.handler.HandlerServer;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * What a {@link TcpServer} and a {@link TcpClient} share: the by-token calls and the lifetime
 * of the engine behind them, written once. Not public: each face documents itself.
 */
abstract sealed class HandlerEndpoint implements Connections, AutoCloseable permits TcpServer, TcpClient {

    final HandlerServer engine;

    HandlerEndpoint(HandlerServer engine) {
        this.engine = engine;
    }

    @Override
    public Task<Long> connect(InetSocketAddress address, long userLong0) {
        return engine.connect(address, userLong0);
    }

    @Override
    public SendResult write(long token, byte[] bytes) {
        return engine.write(token, bytes);
    }

    @Override
    public SendResult write(long token, MemorySegment data) {
        return engine.write(token, data);
    }

    @Override
    public SendResult closeConnection(long token) {
        return engine.closeConnection(token);
    }

    @Override
    public SendResult execute(long token, Consumer<? super Connection> action) {
        return engine.execute(token, action);
    }

    @Override
    public boolean isOpen(long token) {
        return engine.isOpen(token);
    }

    @Override
    public int connections() {
        return engine.connections();
    }

    /**
     * Closes every connection (each gets onClose with a null cause; queued output is dropped),
     * and stops accepting or connecting. Any thread; returns at once: {@link #closed()}
     * completes when done.
     */
    @Override
    public void close() {
        engine.close();
    }

    /** Completes once closed and every driver has finished. */
    public Task<Void> closed() {
        return engine.closed();
    }

    /** Closes and waits up to {@code timeout} (off a worker thread). */
    public boolean close(Duration timeout) throws InterruptedException {
        close();
        try {
            engine.closed().join(timeout);
            return true;
        } catch (TimeoutException e) {
            return false;
        }
    }
}
