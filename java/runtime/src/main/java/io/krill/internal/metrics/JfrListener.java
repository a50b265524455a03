package io.krill.internal.metrics;

import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;

/** Keeps {@link KrillEvents}' flags in step with the recordings that run. */
final class JfrListener implements FlightRecorderListener {

    private JfrListener() {}

    /**
     * Listens for recordings. The flags are read now only if JFR already runs: looking up an
     * event type starts JFR (measured: 160-200 ms at a runtime's start); a recording started
     * later initialises it and reaches {@link #recordingStateChanged} anyway.
     */
    static void install() {
        FlightRecorder.addListener(new JfrListener());
        if (FlightRecorder.isInitialized()) {
            refresh();
        }
    }

    @Override
    public void recordingStateChanged(Recording recording) {
        refresh();
    }

    /** Re-reads every event type's enabled state (any recording enabling it counts). */
    static void refresh() {
        KrillEvents.parks = EventType.getEventType(WorkerParkEvent.class).isEnabled();
        KrillEvents.steals = EventType.getEventType(TaskStealEvent.class).isEnabled();
        KrillEvents.reactorBatches = EventType.getEventType(ReactorBatchEvent.class).isEnabled();
        KrillEvents.slowPolls = EventType.getEventType(SlowPollEvent.class).isEnabled();
        KrillEvents.failures = EventType.getEventType(UncaughtFailureEvent.class).isEnabled();
    }
}
