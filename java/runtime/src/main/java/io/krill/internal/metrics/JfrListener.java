package io.krill.internal.metrics;

import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;

/** Keeps {@link KrillEvents}' flags in step with the recordings that run. */
final class JfrListener implements FlightRecorderListener {

    private JfrListener() {}

    static void install() {
        FlightRecorder.addListener(new JfrListener());
        refresh();
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
    }
}
