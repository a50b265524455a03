/** Off-heap memory pools: the write backlog's chunks. */
package io.krill.internal.memory;
