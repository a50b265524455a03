/**
 * Networking on Krill: TCP listeners and streams, split halves, line reading, and the errors
 * they report.
 *
 * <p>Errors: a failed system call becomes a {@link io.krill.NativeIoException} subclass naming
 * the operation and the address ({@link io.krill.net.ConnectionRefusedException},
 * {@link io.krill.net.ConnectionResetException}, {@link io.krill.net.BrokenPipeException},
 * {@link io.krill.net.ConnectionTimedOutException} …). An operation pending when its socket is
 * closed fails with {@link io.krill.net.SocketClosedException}; calling a method on a closed
 * socket throws {@link IllegalStateException}.
 */
package io.krill.net;
