package io.krill.net;

import io.krill.NativeIoException;

/** The local address is taken ({@code EADDRINUSE}). */
public final class AddressInUseException extends NativeIoException {

    private static final long serialVersionUID = 1L;

    public AddressInUseException(String operation, int errno, String errnoName, String description) {
        super(operation, errno, errnoName, description);
    }
}
