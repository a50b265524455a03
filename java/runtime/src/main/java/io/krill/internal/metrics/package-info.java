/**
 * JFR events of the runtime: worker parks, steals, reactor batches and slow task polls. Each
 * costs one read of a cached flag while no recording asks for it ({@link KrillEvents}).
 */
package io.krill.internal.metrics;
