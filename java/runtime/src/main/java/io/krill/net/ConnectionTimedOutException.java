package io.krill.net;

import io.krill.NativeIoException;

/** The connection timed out in the kernel ({@code ETIMEDOUT}). */
public final class ConnectionTimedOutException extends NativeIoException {

    private static final long serialVersionUID = 1L;

    public ConnectionTimedOutException(String operation, int errno, String errnoName, String description) {
        super(operation, errno, errnoName, description);
    }
}
