package io.krill.internal.reactor;

/** The drivers of one handler-API server: where its ready slots are queued. */
public interface HandlerGroup {

    /**
     * Pushes slot {@code index}, just marked QUEUED, onto the ready stack of this group's driver
     * for shard {@code owner}, and wakes that driver. Any thread; must not block.
     */
    void enqueue(int owner, int index);
}
