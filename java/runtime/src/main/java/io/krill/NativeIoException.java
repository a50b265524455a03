package io.krill;

import java.io.IOException;

/**
 * An I/O error reported by the operating system: the failed operation, the errno and its name.
 * Errors that callers commonly branch on have their own subclasses ({@code io.krill.net}'s
 * {@code ConnectionRefusedException}, {@link TooManyOpenFilesException} …); catching this class
 * catches them all.
 */
public class NativeIoException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String operation;
    private final int errno;
    private final String errnoName;

    /**
     * @param operation   what failed, with its arguments (e.g. {@code connect(127.0.0.1:80)})
     * @param errno       the positive errno number on this platform
     * @param errnoName   its symbolic name (e.g. {@code ECONNREFUSED})
     * @param description the C library's message for it
     */
    public NativeIoException(String operation, int errno, String errnoName, String description) {
        super(operation + " failed: " + description + " (" + errnoName + ")");
        this.operation = operation;
        this.errno = errno;
        this.errnoName = errnoName;
    }

    /** What failed, with its arguments. */
    public String operation() {
        return operation;
    }

    /** The positive errno number (platform-specific: compare names, not numbers). */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code ECONNRESET}, or {@code errno N} for one Krill does not name. */
    public String errnoName() {
        return errnoName;
    }
}
