package io.krill.internal.jni;

/**
 * Socket options by Krill id (the ordinal). Keep names and order in sync with
 * {@code krill.h:enum krill_sockopt}; the count is checked at load.
 */
public enum SocketOption {
    SO_REUSEADDR,
    SO_REUSEPORT,
    SO_KEEPALIVE,
    SO_RCVBUF,
    SO_SNDBUF,
    /** Seconds to linger on close, or -1 for off. */
    SO_LINGER,
    TCP_NODELAY,
    /** Read only: the pending error as a positive errno, 0 for none. */
    SO_ERROR,
    IPV6_V6ONLY,
    SO_BROADCAST;

    /** The id C knows this option by. */
    public int id() {
        return ordinal();
    }
}
