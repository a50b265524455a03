package io.krill.net;

import io.krill.NativeIoException;

/** Nobody listens at the address ({@code ECONNREFUSED}). */
public final class ConnectionRefusedException extends NativeIoException {

    private static final long serialVersionUID = 1L;

    public ConnectionRefusedException(String operation, int errno, String errnoName, String description) {
        super(operation, errno, errnoName, description);
    }
}
