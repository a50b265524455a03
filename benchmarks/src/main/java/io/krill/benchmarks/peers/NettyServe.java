package io.krill.benchmarks.peers;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The peer servers for the load harness: the same protocols as {@code ci/serve} (echo, and
 * pipelined HTTP answered with a fixed 200 "Hello"), on Netty's native epoll transport with its
 * usual idioms (write on read, flush on read-complete, pooled direct buffers), so that Krill and
 * Netty are loaded by the same client in the same session. Run by {@code ci/serve-netty}.
 */
public final class NettyServe {

    static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHello".getBytes(StandardCharsets.US_ASCII);

    private NettyServe() {}

    /** Netty's EchoServerHandler: write what was read, flush once per read burst. */
    @ChannelHandler.Sharable
    static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /**
     * Counts requests ended by an empty line across reads (a four-byte matcher kept per
     * connection) and answers each with the fixed response, in order.
     */
    static final class Http extends ChannelInboundHandlerAdapter {
        private static final ByteBuf RESPONSE_BUFFER = Unpooled.unreleasableBuffer(
                Unpooled.directBuffer(RESPONSE.length).writeBytes(RESPONSE)).asReadOnly();
        private int matched; // bytes of "\r\n\r\n" matched so far

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            int requests = 0;
            try {
                for (int i = in.readerIndex(), end = in.writerIndex(); i < end; i++) {
                    byte b = in.getByte(i);
                    if (b == (matched % 2 == 0 ? '\r' : '\n')) {
                        if (++matched == 4) {
                            requests++;
                            matched = 0;
                        }
                    } else {
                        matched = b == '\r' ? 1 : 0;
                    }
                }
            } finally {
                in.release();
            }
            for (int i = 0; i < requests; i++) {
                ctx.write(RESPONSE_BUFFER.duplicate(), ctx.voidPromise());
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** {@code MODE PORT THREADS}: serves on 127.0.0.1:PORT until SIGTERM/SIGINT. */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3 || !(args[0].equals("echo") || args[0].equals("http"))) {
            System.err.println("usage: ci/serve-netty MODE PORT THREADS   (MODE: echo | http)");
            System.exit(2);
        }
        String mode = args[0].toLowerCase(Locale.ROOT);
        int port = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
        Echo echo = new Echo();
        Channel channel = new ServerBootstrap()
                .group(group)
                .channel(EpollServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(mode.equals("echo") ? echo : new Http());
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).sync().channel();
        InetSocketAddress local = (InetSocketAddress) channel.localAddress();
        System.out.println("netty " + mode + " server on 127.0.0.1:" + local.getPort() + " with " + threads + " event loops (epoll)");
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            channel.close().syncUninterruptibly();
            group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
            main.interrupt();
        }));
        try {
            channel.closeFuture().sync();
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt(); // keep the flag: the JVM is exiting
        }
    }
}
