/**
 * Time on Krill: {@link io.krill.time.Time#sleep sleep}, {@link io.krill.time.Time#timeout
 * timeout} and {@link io.krill.time.Interval intervals}, on a timing wheel per worker with 1 ms
 * ticks. Deadlines round up: a timer never fires early. With
 * {@code Runtime.builder().pausedClock()}, time stands still until a test advances it or every
 * worker is idle, so timer tests are deterministic and instant.
 */
package io.krill.time;
