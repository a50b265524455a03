/**
 * The native self-check the launcher ({@code io.krill.Krill}) runs: a wake-up through the
 * platform's poller and a loopback TCP round trip on the raw natives, before any runtime
 * starts. Above {@code internal.jni} and {@code internal.errno}; the socket tests reuse its
 * poller.
 */
package io.krill.internal.selfcheck;
