package io.krill.internal.executor;

import java.util.concurrent.locks.LockSupport;

/** A {@link Parker} on {@link LockSupport}, for runtimes without native I/O. */
final class ThreadParker extends StateParker {

    private volatile Thread owner; // set once by the worker before its first park

    void bind(Thread thread) {
        owner = thread;
    }

    @Override
    protected void sleep(long timeoutNanos) {
        if (timeoutNanos < 0) {
            LockSupport.park(this);
        } else if (timeoutNanos > 0) {
            LockSupport.parkNanos(this, timeoutNanos);
        }
    }

    @Override
    protected void wakeSleeper() {
        LockSupport.unpark(owner);
    }
}
