/**
 * The handler engine behind {@code io.krill.net.TcpServer} and {@code TcpClient}: the faces
 * hold a {@link io.krill.internal.reactor.handler.HandlerServer}, which owns one
 * {@link io.krill.internal.reactor.handler.ShardDriver} per reactor shard.
 *
 * <h2>The walk of one readable event</h2>
 *
 * <ol>
 *   <li>The worker's {@code EpollParker} drains its event ring; {@code ConnectionTable.onEvent}
 *       ORs the readiness into the slot's state word and, for a handler slot not yet QUEUED,
 *       sets QUEUED and pushes the slot onto its group's driver ({@code ReadyStack}), waking
 *       the driver task.</li>
 *   <li>The driver's step first applies the submissions by token from its MPSC ring (writes are
 *       queued and sent once per connection after the drain), then takes its ready stack.</li>
 *   <li>For each slot: {@code takeReady} (one CAS: the readiness and QUEUED back) and
 *       {@code bind} (one read of the table's chunk array and of the generation) are the only
 *       calls into the table; everything else (fd, driver flags, backlog, user area) goes
 *       through the driver's {@link io.krill.internal.reactor.SlotView}.</li>
 *   <li>Reads land in the driver's one read buffer; the handler's {@code onData} gets a view of
 *       exactly the bytes read (cached per length up to 4 KiB) and the
 *       {@link io.krill.internal.reactor.handler.DriverConnection} flyweight; its writes go
 *       through the {@link io.krill.internal.reactor.handler.WriteBacklog} (straight to the
 *       socket, the rest queued in pooled off-heap chunks, with watermarks).</li>
 * </ol>
 *
 * <p>The {@link io.krill.internal.reactor.handler.Acceptor} runs on the listener's driver;
 * {@link io.krill.internal.reactor.handler.Timeouts} (read and idle timeouts) is a side table
 * made only when a connection sets one. The per-connection state machine is the driver flags,
 * drawn in {@link io.krill.internal.reactor.SlotDescriptor}.
 */
package io.krill.internal.reactor.handler;
