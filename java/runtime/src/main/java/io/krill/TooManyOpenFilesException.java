package io.krill;

/** The process ({@code EMFILE}) or the system ({@code ENFILE}) has no file descriptor left. */
public final class TooManyOpenFilesException extends NativeIoException {

    private static final long serialVersionUID = 1L;

    public TooManyOpenFilesException(String operation, int errno, String errnoName, String description) {
        super(operation, errno, errnoName, description);
    }
}
