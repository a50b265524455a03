package io.krill.net;

/** What a {@link Connection#write} did with its bytes. */
public enum WriteResult {

    /** Every byte was sent or queued, and the queue is below the high watermark: write on. */
    WRITTEN,

    /**
     * Every byte was queued, and the queue is now at or above the server's high watermark: stop
     * writing until {@link ConnectionHandler#onWritable}; the connection is not read meanwhile.
     */
    ABOVE_HIGH_WATERMARK,

    /**
     * Nothing was written: the connection failed (on this write or an earlier one), and
     * {@link ConnectionHandler#onClose} follows with the cause once the callback returns.
     */
    FAILED;

    /** True for {@link #WRITTEN}: the connection takes more now. */
    public boolean isWritable() {
        return this == WRITTEN;
    }
}
