package io.krill.benchmarks.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The JDK NIO peer (#17): ci/serve's protocols on {@link Selector}s, as a competent user writes
 * them without a framework: THREADS selector threads, the first also accepting and dealing the
 * connections round-robin; per thread one direct read buffer; a write backlog per connection
 * only for what a short write left, with OP_WRITE (and no reading) until it drains. Run by
 * {@code ci/serve-nio}.
 */
public final class NioServe {

    private static final int READ_BUFFER_BYTES = 64 * 1024;

    private NioServe() {}

    /** One connection's state: its HTTP request counter and the bytes a short write left. */
    private static final class Connection {
        final RequestCounter requests = new RequestCounter();
        ByteBuffer pending;
    }

    private static final class Loop implements Runnable {
        final Selector selector;
        final Queue<SocketChannel> handedOver = new ConcurrentLinkedQueue<>();
        final boolean http;
        final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
        final byte[] bytes = new byte[READ_BUFFER_BYTES];
        byte[] answers;
        ServerSocketChannel acceptor;
        Loop[] all;
        int next;

        Loop(boolean http) throws IOException {
            this.selector = Selector.open();
            this.http = http;
        }

        void handOver(SocketChannel channel) {
            handedOver.add(channel);
            selector.wakeup();
        }

        @Override
        public void run() {
            try {
                while (!Thread.currentThread().isInterrupted() && selector.isOpen()) {
                    selector.select();
                    for (SocketChannel channel; (channel = handedOver.poll()) != null; ) {
                        channel.register(selector, SelectionKey.OP_READ, new Connection());
                    }
                    Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                    while (keys.hasNext()) {
                        SelectionKey key = keys.next();
                        keys.remove();
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.channel() == acceptor) {
                            accept();
                        } else {
                            serve(key);
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (java.nio.channels.ClosedSelectorException stopping) {
                // closed by the shutdown hook
            }
        }

        private void accept() throws IOException {
            for (SocketChannel channel; (channel = acceptor.accept()) != null; ) {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                Loop target = all[next++ % all.length];
                if (target == this) {
                    channel.register(selector, SelectionKey.OP_READ, new Connection());
                } else {
                    target.handOver(channel);
                }
            }
        }

        private void serve(SelectionKey key) {
            SocketChannel channel = (SocketChannel) key.channel();
            Connection connection = (Connection) key.attachment();
            try {
                if (connection.pending != null) {
                    channel.write(connection.pending);
                    if (connection.pending.hasRemaining()) {
                        return; // still OP_WRITE only
                    }
                    connection.pending = null;
                    key.interestOps(SelectionKey.OP_READ);
                }
                for (;;) {
                    readBuffer.clear();
                    int n = channel.read(readBuffer);
                    if (n < 0) {
                        channel.close();
                        return;
                    }
                    if (n == 0) {
                        return;
                    }
                    readBuffer.flip();
                    ByteBuffer reply;
                    if (http) {
                        readBuffer.get(bytes, 0, n);
                        int requests = connection.requests.count(bytes, 0, n);
                        if (requests == 0) {
                            continue;
                        }
                        answers = RequestCounter.responses(requests, answers);
                        reply = ByteBuffer.wrap(answers, 0, requests * RequestCounter.RESPONSE.length);
                    } else {
                        reply = readBuffer;
                    }
                    channel.write(reply);
                    if (reply.hasRemaining()) { // keep the rest, stop reading until it drains
                        connection.pending = ByteBuffer.allocate(reply.remaining()).put(reply).flip();
                        key.interestOps(SelectionKey.OP_WRITE);
                        return;
                    }
                    if (n < READ_BUFFER_BYTES) {
                        return; // level-triggered: more data selects the key again
                    }
                }
            } catch (IOException e) {
                try {
                    channel.close(); // a reset peer: close, as the other servers do
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3 || !(args[0].equals("echo") || args[0].equals("http"))) {
            System.err.println("usage: ci/serve-nio MODE PORT THREADS   (MODE: echo | http)");
            System.exit(2);
        }
        String mode = args[0].toLowerCase(Locale.ROOT);
        int threads = Integer.parseInt(args[2]);
        Loop[] loops = new Loop[threads];
        for (int i = 0; i < threads; i++) {
            loops[i] = new Loop(mode.equals("http"));
            loops[i].all = loops;
        }
        ServerSocketChannel acceptor = ServerSocketChannel.open();
        acceptor.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[1])), 1024);
        acceptor.configureBlocking(false);
        loops[0].acceptor = acceptor;
        acceptor.register(loops[0].selector, SelectionKey.OP_ACCEPT);
        Thread[] running = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            running[i] = Thread.ofPlatform().name("nio-" + i).start(loops[i]);
        }
        int port = ((InetSocketAddress) acceptor.getLocalAddress()).getPort();
        System.out.println("nio " + mode + " server on 127.0.0.1:" + port + " with " + threads + " selector threads");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Loop loop : loops) {
                try {
                    loop.selector.close();
                } catch (IOException ignored) {
                    // exiting
                }
            }
        }));
        for (Thread thread : running) {
            thread.join();
        }
    }
}
