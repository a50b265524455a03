package io.krill.net;

import io.krill.NativeIoException;

/** A write to a connection whose peer has gone ({@code EPIPE}). */
public final class BrokenPipeException extends NativeIoException {

    private static final long serialVersionUID = 1L;

    public BrokenPipeException(String operation, int errno, String errnoName, String description) {
        super(operation, errno, errnoName, description);
    }
}
