package io.krill.internal.reactor.handler;

import io.krill.internal.reactor.SlotView;
import io.krill.net.Connection;
import io.krill.net.Connections;
import io.krill.net.WriteResult;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The {@link Connection} flyweight of one {@link ShardDriver}: a guard in front of the driver's
 * slot view. {@link #active} is true only while a callback about the bound slot runs; every
 * call checks it, the calling thread and the token ({@link ShardDriver#check}).
 */
final class DriverConnection implements Connection {

    private final ShardDriver driver;
    final SlotView slot = new SlotView();
    /** True while a callback about {@link #slot} runs; driver thread only. */
    boolean active;

    DriverConnection(ShardDriver driver) {
        this.driver = driver;
    }

    @Override
    public long token() {
        driver.check(this);
        return slot.token();
    }

    @Override
    public boolean isOpen() {
        driver.check(this);
        return driver.isOpen(slot);
    }

    @Override
    public WriteResult write(MemorySegment data, long offset, long length) {
        driver.check(this);
        if (offset < 0 || length < 0 || offset > data.byteSize() - length) {
            throw new IndexOutOfBoundsException("write of [" + offset + ", " + (offset + length) + ") outside a segment of "
                    + data.byteSize() + " bytes");
        }
        return driver.backlog().write(slot, data, offset, length);
    }

    @Override
    public boolean isWritable() {
        driver.check(this);
        return driver.backlog().isWritable(slot);
    }

    @Override
    public int queuedBytes() {
        driver.check(this);
        return driver.backlog().queuedBytes(slot);
    }

    @Override
    public void pauseReading() {
        driver.check(this);
        driver.pauseReading(slot);
    }

    @Override
    public void resumeReading() {
        driver.check(this);
        driver.resumeReading(slot);
    }

    @Override
    public void setReadTimeout(Duration timeout) {
        driver.check(this);
        driver.setTimeout(slot, Timeouts.READ, timeout);
    }

    @Override
    public void setIdleTimeout(Duration timeout) {
        driver.check(this);
        driver.setTimeout(slot, Timeouts.IDLE, timeout);
    }

    @Override
    public void shutdownOutput() {
        driver.check(this);
        driver.backlog().shutdownOutput(slot);
    }

    @Override
    public void close() {
        driver.check(this);
        driver.requestClose(slot);
    }

    @Override
    public long getLong(int offset) {
        driver.check(this);
        return slot.userLong(offset);
    }

    @Override
    public void putLong(int offset, long value) {
        driver.check(this);
        slot.userLong(offset, value);
    }

    @Override
    public int getInt(int offset) {
        driver.check(this);
        return slot.userInt(offset);
    }

    @Override
    public void putInt(int offset, int value) {
        driver.check(this);
        slot.userInt(offset, value);
    }

    @Override
    public Connections owner() {
        driver.check(this);
        return driver.owner();
    }

    @Override
    public InetSocketAddress peerAddress() throws IOException {
        driver.check(this);
        return driver.peerAddress(slot.fd());
    }

    @Override
    public String toString() {
        return active ? "Connection[token=0x" + Long.toHexString(slot.token()) + "]" : "Connection[outside a callback]";
    }
}
