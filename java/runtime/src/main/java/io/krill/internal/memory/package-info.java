/** Memory: off-heap pools (the write backlog's chunks), and the reaper that gives back what a dropped object held. */
package io.krill.internal.memory;
