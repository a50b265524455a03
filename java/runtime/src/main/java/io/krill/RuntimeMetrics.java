package io.krill;

/**
 * A snapshot of a runtime's counters; each is read without stopping the workers, so together
 * they are approximate.
 *
 * @param workers           worker threads
 * @param liveTasks         tasks created and not yet finished
 * @param polls             task steps run, over all workers
 * @param steals            successful steals of half a queue
 * @param parks             times a worker went to sleep
 * @param injectQueueDepth  tasks waiting in the shared queue
 * @param searchingWorkers  workers looking for work to steal now
 * @param parkedWorkers     workers asleep now
 * @param nativeCalls       native calls (JNI or JNA crossings) made on the worker threads: polls,
 *                          reads, writes, accepts, registrations
 * @param ioEvents          event records the workers' polls returned (readiness of a descriptor,
 *                          or a wake-up)
 * @param backend           the native backend the reactor calls: {@code jni} (libkrill's shims),
 *                          {@code jna} (the C library through JNA), or {@code none} when workers
 *                          park without a poller (no backend loads here: tasks and timers only)
 */
public record RuntimeMetrics(int workers, long liveTasks, long polls, long steals, long parks,
                             int injectQueueDepth, int searchingWorkers, int parkedWorkers, long nativeCalls,
                             long ioEvents, String backend) {

    /** Native calls per I/O event: what the fused crossing (#19) is to bring towards 1; NaN before any event. */
    public double nativeCallsPerEvent() {
        return ioEvents == 0 ? Double.NaN : (double) nativeCalls / ioEvents;
    }
}
