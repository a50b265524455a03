package io.krill.internal.jni;

import java.util.Arrays;

/**
 * The errno values Krill acts on. Their numbers differ between platforms, so they are read from
 * the library once at load ({@link #bind}); keep the names and order in sync with
 * {@code krill_errors.c:krill_errno_table}.
 */
public enum Errno {
    EPERM, ENOENT, EINTR, EBADF, EAGAIN, ENOMEM, EACCES, EFAULT, EEXIST, EINVAL,
    ENFILE, EMFILE, ENOSPC, EPIPE, ENOTSOCK, EDESTADDRREQ, EMSGSIZE, ENOPROTOOPT,
    EPROTONOSUPPORT, EOPNOTSUPP, EAFNOSUPPORT, EADDRINUSE, EADDRNOTAVAIL, ENETDOWN,
    ENETUNREACH, ECONNABORTED, ECONNRESET, ENOBUFS, EISCONN, ENOTCONN, ETIMEDOUT,
    ECONNREFUSED, EHOSTUNREACH, EALREADY, EINPROGRESS, EPROTO;

    private static final Errno[] VALUES = values();

    // Written once by bind() inside NativeLibrary's class initialisation, read afterwards: the
    // class-initialisation lock gives every reader happens-before with the writes.
    private static int[] numbers;
    private static Errno[] byNumber;

    /** This platform's number for the error; only valid once the library is loaded. */
    public int number() {
        return numbers[ordinal()];
    }

    /** The constant for a positive errno number, or {@code null} for one Krill does not name. */
    public static Errno of(int number) {
        Errno[] table = byNumber;
        return number > 0 && number < table.length ? table[number] : null;
    }

    /** The C library's message for a positive errno number (cold: asks the library, allocates). */
    public static String describe(int number) {
        return ErrorsNative.strerror(number);
    }

    /** Installs the library's numbering; called once, at load. */
    static void bind(int[] table) {
        if (table.length != VALUES.length) {
            throw new IllegalStateException("errno table has " + table.length + " entries, Errno has "
                    + VALUES.length);
        }
        int max = Arrays.stream(table).max().orElse(0);
        Errno[] reverse = new Errno[max + 1];
        for (Errno errno : VALUES) {
            int number = table[errno.ordinal()];
            if (number <= 0 || reverse[number] != null) {
                throw new IllegalStateException("errno table entry " + errno + "=" + number
                        + " is not a fresh positive number");
            }
            reverse[number] = errno;
        }
        numbers = table.clone();
        byNumber = reverse;
    }
}
