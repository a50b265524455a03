package io.krill.net;

import io.krill.NativeIoException;

/** No route to the network or host ({@code ENETUNREACH}, {@code EHOSTUNREACH}). */
public final class UnreachableException extends NativeIoException {

    private static final long serialVersionUID = 1L;

    public UnreachableException(String operation, int errno, String errnoName, String description) {
        super(operation, errno, errnoName, description);
    }
}
