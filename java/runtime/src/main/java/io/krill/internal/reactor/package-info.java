/**
 * The reactor: workers that sleep inside {@code epoll_wait} and hand I/O readiness to tasks.
 *
 * <h2>Implementation notes</h2>
 *
 * <p>{@link io.krill.internal.reactor.EpollParker} is a worker's {@code Parker}: parking is one
 * {@code epoll_wait} into the worker's SPSC event ring (one JNI crossing per batch), then a drain
 * of the ring in Java without allocation. Wake-ups go through an eventfd registered with the
 * worker's epoll instance, written only when the worker is actually parked: the parker's state
 * word (EMPTY, PARKED, NOTIFIED) is swapped to NOTIFIED by the waker, and only a waker that saw
 * PARKED pays the {@code write(2)}. An unpark that comes first makes the next park return at
 * once, as with {@code LockSupport}.
 */
package io.krill.internal.reactor;
