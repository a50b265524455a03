package io.krill.internal.jni;

import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * The errno values Krill acts on. Their numbers differ between platforms, so they are read from
 * the backend once at load ({@link #bind}); keep the names and order in sync with
 * {@code krill_errors.c:krill_errno_table}.
 */
public enum Errno {
    EPERM, ENOENT, EINTR, EBADF, EAGAIN, ENOMEM, EACCES, EFAULT, EEXIST, EINVAL,
    ENFILE, EMFILE, ENOSPC, EPIPE, ENOTSOCK, EDESTADDRREQ, EMSGSIZE, ENOPROTOOPT,
    EPROTONOSUPPORT, EOPNOTSUPP, EAFNOSUPPORT, EADDRINUSE, EADDRNOTAVAIL, ENETDOWN,
    ENETUNREACH, ECONNABORTED, ECONNRESET, ENOBUFS, EISCONN, ENOTCONN, ETIMEDOUT,
    ECONNREFUSED, EHOSTUNREACH, EALREADY, EINPROGRESS, EPROTO;

    private static final Errno[] VALUES = values();

    /**
     * The numbering and messages of the backend that loaded first. Written once by {@link #bind}
     * before that backend is handed out (under its class-initialisation lock), read afterwards
     * by threads that reached a backend through that lock: they see the reference, and the
     * final fields of what it points at.
     */
    private static Numbering numbering;

    private record Numbering(int[] numbers, Errno[] byNumber, IntFunction<String> describer) {}

    /** This platform's number for the error; only valid once a backend is loaded. */
    public int number() {
        return numbering.numbers[ordinal()];
    }

    /** The constant for a positive errno number, or {@code null} for one Krill does not name. */
    public static Errno of(int number) {
        Errno[] table = numbering.byNumber;
        return number > 0 && number < table.length ? table[number] : null;
    }

    /** The C library's message for a positive errno number (cold: asks the library, allocates). */
    public static String describe(int number) {
        return numbering.describer.apply(number);
    }

    /**
     * Installs a backend's numbering ({@code table[e.ordinal()]} is {@code e}'s number) and its
     * way to describe one; called once per backend, at its load. A second backend (JNI and JNA
     * in one JVM) must report the same numbers, and the first one's messages stay.
     *
     * @throws IllegalStateException when the table is malformed or disagrees with the one bound
     */
    public static synchronized void bind(int[] table, IntFunction<String> describer) {
        if (table.length != VALUES.length) {
            throw new IllegalStateException("errno table has " + table.length + " entries, Errno has "
                    + VALUES.length);
        }
        if (numbering != null) {
            if (!Arrays.equals(numbering.numbers, table)) {
                throw new IllegalStateException("errno table " + Arrays.toString(table)
                        + " disagrees with the one already bound, " + Arrays.toString(numbering.numbers));
            }
            return;
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
        numbering = new Numbering(table.clone(), reverse, java.util.Objects.requireNonNull(describer, "describer"));
    }
}
