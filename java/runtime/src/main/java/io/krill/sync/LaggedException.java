package io.krill.sync;

/**
 * A {@link Broadcast} receiver fell more than the channel's capacity behind: {@link #missed()}
 * messages were dropped for it, and its next {@code recv} continues from the oldest kept one.
 */
public final class LaggedException extends Exception {

    private static final long serialVersionUID = 1L;

    private final long missed;

    public LaggedException(long missed) {
        super("receiver lagged: " + missed + " messages missed");
        this.missed = missed;
    }

    public long missed() {
        return missed;
    }
}
