package io.krill.time;

/** What an {@link Interval} does when ticks were missed (Tokio's {@code MissedTickBehavior}). */
public enum MissedTickBehavior {
    /** Fire the missed ticks back to back, then keep the original schedule. */
    BURST,
    /** Fire once now, then restart the period from now. */
    DELAY,
    /** Fire once now, then resume at the next tick of the original schedule. */
    SKIP
}
