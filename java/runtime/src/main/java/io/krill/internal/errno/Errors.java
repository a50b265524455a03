package io.krill.internal.errno;

import io.krill.NativeIoException;
import io.krill.TooManyOpenFilesException;
import io.krill.internal.jni.Errno;
import io.krill.net.AddressInUseException;
import io.krill.net.AddressNotAvailableException;
import io.krill.net.BrokenPipeException;
import io.krill.net.ConnectionRefusedException;
import io.krill.net.ConnectionResetException;
import io.krill.net.ConnectionTimedOutException;
import io.krill.net.UnreachableException;

/**
 * The one place where a native {@code -errno} becomes an exception. Callers handle the results
 * they expect ({@code -EAGAIN}, {@code -EINPROGRESS}) themselves and pass the rest here.
 */
public final class Errors {

    private Errors() {}

    /** Returns a non-negative result, or throws the exception for {@code -errno}. */
    public static int check(String operation, int result) throws NativeIoException {
        if (result < 0) {
            throw newException(operation, result);
        }
        return result;
    }

    /** Returns a non-negative result, or throws the exception for {@code -errno}. */
    public static long check(String operation, long result) throws NativeIoException {
        if (result < 0) {
            throw newException(operation, (int) result);
        }
        return result;
    }

    /**
     * The exception for a failed call.
     *
     * @param operation what failed, with its arguments
     * @param result    the native result, {@code -errno}
     */
    public static NativeIoException newException(String operation, int result) {
        if (result >= 0) {
            throw new IllegalArgumentException("not a -errno result: " + result);
        }
        int number = -result;
        Errno errno = Errno.of(number);
        String name = errno != null ? errno.name() : "errno " + number;
        String description = Errno.describe(number);
        if (errno == null) {
            return new NativeIoException(operation, number, name, description);
        }
        return switch (errno) {
            case ECONNREFUSED -> new ConnectionRefusedException(operation, number, name, description);
            case ECONNRESET -> new ConnectionResetException(operation, number, name, description);
            case EPIPE -> new BrokenPipeException(operation, number, name, description);
            case EADDRINUSE -> new AddressInUseException(operation, number, name, description);
            case EADDRNOTAVAIL -> new AddressNotAvailableException(operation, number, name, description);
            case ETIMEDOUT -> new ConnectionTimedOutException(operation, number, name, description);
            case ENETUNREACH, EHOSTUNREACH -> new UnreachableException(operation, number, name, description);
            case EMFILE, ENFILE -> new TooManyOpenFilesException(operation, number, name, description);
            default -> new NativeIoException(operation, number, name, description);
        };
    }
}
