package io.krill.benchmarks.peers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Locale;

/**
 * The virtual-thread peer (#17): ci/serve's protocols with one virtual thread per connection
 * doing blocking reads and writes (JDK 25), the style Loom offers instead of an async runtime.
 * THREADS sets the virtual-thread scheduler's parallelism (carrier threads), which must be
 * given before the first virtual thread starts: {@code ci/serve-vthreads} passes it as
 * {@code -Djdk.virtualThreadScheduler.parallelism}; this program checks that it was.
 */
public final class VirtualThreadServe {

    /**
     * Per connection, on the heap, for as long as the connection lives: 8 KiB, as
     * BufferedInputStream's default, so that 15,000 idle connections fit the idle-memory run's heap.
     */
    private static final int READ_BUFFER_BYTES = 8 * 1024;

    private VirtualThreadServe() {}

    private static void serve(Socket socket, boolean http) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buffer = new byte[READ_BUFFER_BYTES];
            RequestCounter requests = new RequestCounter();
            byte[] answers = null;
            for (int n; (n = in.read(buffer)) >= 0; ) {
                if (!http) {
                    out.write(buffer, 0, n);
                    continue;
                }
                int count = requests.count(buffer, 0, n);
                if (count > 0) {
                    answers = RequestCounter.responses(count, answers);
                    out.write(answers, 0, count * RequestCounter.RESPONSE.length);
                }
            }
        } catch (IOException e) {
            // a reset peer: the connection ends, as with the other servers
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3 || !(args[0].equals("echo") || args[0].equals("http"))) {
            System.err.println("usage: ci/serve-vthreads MODE PORT THREADS   (MODE: echo | http)");
            System.exit(2);
        }
        String mode = args[0].toLowerCase(Locale.ROOT);
        String parallelism = System.getProperty("jdk.virtualThreadScheduler.parallelism");
        if (!args[2].equals(parallelism)) {
            System.err.println("ci/serve-vthreads: THREADS (" + args[2] + ") must also be given as "
                    + "-Djdk.virtualThreadScheduler.parallelism (is " + parallelism + ")");
            System.exit(2);
        }
        boolean http = mode.equals("http");
        ServerSocket listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[1])), 1024);
        System.out.println("vthreads " + mode + " server on 127.0.0.1:" + listener.getLocalPort() + " with " + args[2]
                + " carrier threads");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                listener.close();
            } catch (IOException ignored) {
                // exiting
            }
        }));
        Thread.ofVirtual().name("accept").start(() -> {
            try {
                for (;;) {
                    Socket socket = listener.accept();
                    Thread.ofVirtual().start(() -> serve(socket, http));
                }
            } catch (IOException closed) {
                // the shutdown hook closed the listener
            }
        });
        try {
            Thread.currentThread().join(); // until the JVM exits on SIGTERM
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
