package io.krill.net;

import io.krill.NativeIoException;

/** The peer reset the connection ({@code ECONNRESET}), e.g. it closed with unread data or {@code SO_LINGER} 0. */
public final class ConnectionResetException extends NativeIoException {

    private static final long serialVersionUID = 1L;

    public ConnectionResetException(String operation, int errno, String errnoName, String description) {
        super(operation, errno, errnoName, description);
    }
}
