package io.krill.internal.metrics;

/**
 * Which Krill events a JFR recording wants, cached in plain booleans so that the hot paths pay
 * one field read while none does (JFR's own {@code isEnabled()} needs an event object and a
 * lookup per call). Refreshed whenever a recording starts, stops or changes state; a recording
 * started before this class loaded is seen at class initialisation. Without any recording, JFR
 * itself is never started by Krill.
 *
 * <p>This class names no JFR type, so reading a flag never needs the jdk.jfr module;
 * {@link JfrListener} does the JFR side.
 *
 * <p>The flags are volatile for visibility to workers; on x86 and ARM a volatile read is a plain
 * load, and a worker may miss a change for a moment, which only drops or adds a few events.
 */
public final class KrillEvents {

    private KrillEvents() {}

    public static volatile boolean parks;
    public static volatile boolean steals;
    public static volatile boolean reactorBatches;
    public static volatile boolean slowPolls;
    public static volatile boolean failures;

    static {
        try {
            JfrListener.install();
        } catch (LinkageError noJfr) {
            // A runtime image without the jdk.jfr module: no events, the flags stay false. This
            // class names no JFR type itself, so the workers that read it are not affected.
        }
    }
}
