/** Krill: an async I/O runtime on native epoll/kqueue shims. */
package io.krill;
