package io.krill.benchmarks;

import io.krill.Runtime;
import io.krill.net.Connection;
import io.krill.net.ConnectionHandler;
import io.krill.net.SendResult;
import io.krill.net.TcpServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A 64-byte message written to a server's connection from a thread that is not its worker
 * (the benchmark thread), until the peer has it: Krill's {@link TcpServer#write(long, byte[])}
 * (a copy through the shard's submission ring, written on the worker) next to Netty 4.2's
 * {@code channel.writeAndFlush} on its native epoll transport (a task on the event loop), as a
 * competent Netty user writes from outside the loop: a pooled buffer from the channel's
 * allocator and the void promise. Both honour their backpressure (Krill's BACKPRESSURE, Netty's
 * {@code isWritable()}) by spinning, so the figure is the sustained cost per message with the
 * worker (one, as Netty's one loop) draining, not the cost of an unbounded queue. A plain JDK
 * socket reads and discards on the other end, on its own thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class SubmitBenchmark {

    private static final byte[] MESSAGE = new byte[64];

    private Runtime runtime;
    private TcpServer krill;
    private long token;
    private Socket krillPeer;

    private EventLoopGroup netty;
    private Channel nettyChannel;
    private Socket nettyPeer;

    @Setup
    public void setUp() throws Exception {
        runtime = Runtime.builder().workers(1).build();
        CompletableFuture<Long> opened = new CompletableFuture<>();
        krill = runtime.blockOn(() -> TcpServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new ConnectionHandler() {
                    @Override
                    public void onOpen(Connection connection) {
                        opened.complete(connection.token());
                    }

                    @Override
                    public void onData(Connection connection, MemorySegment data) {}
                }));
        krillPeer = drained(krill.localAddress());
        token = opened.get(10, TimeUnit.SECONDS);

        netty = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        Channel listener = new ServerBootstrap().group(netty).channel(EpollServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        accepted.complete(channel);
                    }
                })
                .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
        nettyPeer = drained((InetSocketAddress) listener.localAddress());
        nettyChannel = accepted.get(10, TimeUnit.SECONDS);
        listener.close().sync();
    }

    /** A JDK socket connected to {@code address}, whose bytes a daemon thread reads and drops. */
    private static Socket drained(InetSocketAddress address) throws IOException {
        Socket socket = new Socket(address.getAddress(), address.getPort());
        Thread drain = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = socket.getInputStream()) {
                while (in.read(buffer) >= 0) {
                    // discard
                }
            } catch (IOException closed) {
                // the benchmark is over
            }
        }, "drain " + address);
        drain.setDaemon(true);
        drain.start();
        return socket;
    }

    @TearDown
    public void tearDown() throws Exception {
        krillPeer.close();
        krill.close(java.time.Duration.ofSeconds(10));
        runtime.close();
        nettyPeer.close();
        nettyChannel.close().sync();
        netty.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Benchmark
    public SendResult krillWriteByToken() {
        SendResult result;
        while ((result = krill.write(token, MESSAGE)) == SendResult.BACKPRESSURE) {
            Thread.onSpinWait();
        }
        if (result != SendResult.SUBMITTED) {
            throw new IllegalStateException("the connection closed: " + result);
        }
        return result;
    }

    @Benchmark
    public boolean nettyWriteAndFlush() {
        Channel channel = nettyChannel;
        while (!channel.isWritable()) {
            if (!channel.isActive()) {
                throw new IllegalStateException("the connection closed");
            }
            Thread.onSpinWait();
        }
        ByteBuf buffer = channel.alloc().buffer(MESSAGE.length).writeBytes(MESSAGE);
        channel.writeAndFlush(buffer, channel.voidPromise());
        return true;
    }
}
