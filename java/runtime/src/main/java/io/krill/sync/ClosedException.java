package io.krill.sync;

/** The primitive or channel was closed: no permit or message will come. */
public final class ClosedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public ClosedException(String message) {
        super(message);
    }
}
