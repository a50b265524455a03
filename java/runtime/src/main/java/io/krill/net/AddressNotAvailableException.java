package io.krill.net;

import io.krill.NativeIoException;

/** The local address does not belong to this host, or no ephemeral port is left ({@code EADDRNOTAVAIL}). */
public final class AddressNotAvailableException extends NativeIoException {

    private static final long serialVersionUID = 1L;

    public AddressNotAvailableException(String operation, int errno, String errnoName, String description) {
        super(operation, errno, errnoName, description);
    }
}
