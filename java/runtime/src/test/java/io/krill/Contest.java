package io.krill;

import io.krill.time.Time;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;

/**
 * How the cancel-safety storms give up on a waiting operation (#13): a timeout or a race
 * against a timer of 0-2 ms (two wheel ticks), also through a map and a nested timeout; the
 * value is the same whichever way it wins. Shared by the sync and the socket storms.
 */
public enum Contest {
    TIMEOUT, RACE, TIMEOUT_OF_MAP, RACE_OF_TIMEOUT, RACE_OF_MAP;

    /**
     * The ways that keep plain values (a message, a signal): a race through a {@code map}
     * that had already run cannot give back what fn made of the value, so it is kept for
     * values that hold something (closed when nobody takes them: a guard, a permit).
     */
    public static final Contest[] FOR_PLAIN_VALUES = {TIMEOUT, RACE, TIMEOUT_OF_MAP, RACE_OF_TIMEOUT};
    /** All, or those named in -Dcontests=A,B (to narrow a failure down). */
    public static final Contest[] FOR_HELD_VALUES = System.getProperty("contests") == null ? values()
            : java.util.Arrays.stream(System.getProperty("contests").split(",")).map(Contest::valueOf).toArray(Contest[]::new);

    public <T> Task<T> around(Task<T> op) {
        Duration limit = Duration.ofNanos(ThreadLocalRandom.current().nextLong(1, 2_000_000)); // 0-2 ticks
        return switch (this) {
            case TIMEOUT -> Time.timeout(limit, op);
            case RACE -> Task.race(op, timer(limit));
            case TIMEOUT_OF_MAP -> Time.timeout(limit, op.map(v -> v));
            case RACE_OF_TIMEOUT -> Task.race(Time.timeout(limit.multipliedBy(2), op), timer(limit));
            case RACE_OF_MAP -> Task.race(op.map(v -> v), timer(limit));
        };
    }

    private static <T> Task<T> timer(Duration limit) {
        return Time.sleep(limit).then(slept -> Task.failed(new TimeoutException("the timer won")));
    }
}
