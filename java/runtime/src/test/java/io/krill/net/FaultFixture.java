package io.krill.net;

import io.krill.Runtime;
import io.krill.internal.reactor.FaultyNativeIo;
import io.krill.internal.reactor.NativeIoOverride;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;

/**
 * {@link LoopbackFixture} on a runtime whose system calls go through a {@link FaultyNativeIo},
 * with the warnings of a logger captured (and kept out of the build log).
 */
abstract class FaultFixture extends LoopbackFixture {

    final FaultyNativeIo io = new FaultyNativeIo();
    private Logger capturedLogger;
    private Handler capture;
    private boolean parentHandlers;
    final List<String> warnings = new CopyOnWriteArrayList<>();

    @Override
    Runtime newRuntime() {
        return NativeIoOverride.with(io, () -> Runtime.builder().workers(2).build());
    }

    /** Captures the WARNING messages of the logger named {@code name} into {@link #warnings}. */
    void captureWarnings(String name) {
        capturedLogger = Logger.getLogger(name);
        capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel() == Level.WARNING) {
                    warnings.add(record.getMessage());
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        parentHandlers = capturedLogger.getUseParentHandlers();
        capturedLogger.setUseParentHandlers(false);
        capturedLogger.addHandler(capture);
    }

    @AfterEach
    void releaseWarnings() {
        if (capturedLogger != null) {
            capturedLogger.removeHandler(capture);
            capturedLogger.setUseParentHandlers(parentHandlers);
        }
    }

    /** The warnings that mention {@code text}. */
    long warningsMentioning(String text) {
        return warnings.stream().filter(message -> message.contains(text)).count();
    }

    /** Sends {@code text} through {@code client} and fails unless exactly it comes back. */
    static void assertEchoes(Socket client, String text) throws Exception {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        org.junit.jupiter.api.Assertions.assertArrayEquals(bytes, echoThrough(client, bytes), "the echo of '" + text + "'");
    }

    /**
     * Sends {@code bytes} through {@code peer} from one thread while reading them back on this
     * one, and returns what came back (as many bytes as were sent): an echo's far end.
     */
    static byte[] echoThrough(Socket peer, byte[] bytes) throws Exception {
        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = peer.getOutputStream();
                for (int at = 0; at < bytes.length; at += 8 * 1024) {
                    out.write(bytes, at, Math.min(8 * 1024, bytes.length - at)); // many writes: many edges
                }
                out.flush();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        byte[] back = new byte[bytes.length];
        InputStream in = peer.getInputStream();
        int filled = 0;
        while (filled < back.length) {
            int n = in.read(back, filled, back.length - filled);
            if (n < 0) {
                throw new IOException("end of stream after " + filled + " of " + back.length + " echoed bytes");
            }
            filled += n;
        }
        sending.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return back;
    }

    static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(13).nextBytes(bytes);
        return bytes;
    }

    /** The first index where the two differ, for a message; -1 when they are equal. */
    static int firstDifference(byte[] expected, byte[] actual) {
        return Arrays.mismatch(expected, actual);
    }
}
