/**
 * The one place where a native {@code -errno} becomes a precise public exception
 * ({@link io.krill.internal.errno.Errors}): {@code ECONNREFUSED} a
 * {@code ConnectionRefusedException}, {@code EMFILE} a {@code TooManyOpenFilesException}, and so
 * on. It sits above {@code internal.jni}, which imports nothing of Krill's above it: the natives
 * return {@code -errno}, and the floors above them ask here for the exception.
 */
package io.krill.internal.errno;
