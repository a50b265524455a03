package io.krill.examples;

import io.krill.Coroutine;
import io.krill.Runtime;
import io.krill.Step;
import io.krill.Task;
import io.krill.sync.Mpsc;
import java.util.function.Consumer;

/**
 * The guide's "Channel (Communication)": a producer task sends 0 … 9 into a bounded channel;
 * the main task receives and prints them until the channel ends.
 *
 * <pre>{@code
 * let (tx, mut rx) = mpsc::channel(100);
 * tokio::spawn(async move {
 *     for i in 0..10 { tx.send(i).await.unwrap(); }
 * });
 * while let Some(msg) = rx.recv().await {
 *     println!("Received: {}", msg);
 * }
 * }</pre>
 *
 * In Rust the producer's {@code tx} is dropped when its block ends, and that ends the
 * receiver's loop ({@code recv} gives {@code None}). Java has no drop: the producer closes its
 * sender when it is done, and {@code recv} then completes with null. The twin prints a last
 * line once the loop has ended, to show that it does.
 */
public final class ChannelProducerConsumer {

    static final int CAPACITY = 100;
    static final int MESSAGES = 10;

    private ChannelProducerConsumer() {}

    /** Sends 0 … count-1, each send awaited (it waits for room when the channel is full), then closes. */
    static final class Producer implements Coroutine<Void> {
        private final Mpsc.Sender<Integer> tx;
        private final int count;
        private int i;
        private Task<Void> sending;

        Producer(Mpsc.Sender<Integer> tx, int count) {
            this.tx = tx;
            this.count = count;
        }

        @Override
        public void resume(Step<Void> step) {
            try {
                for (;;) {
                    if (sending != null) {
                        if (!step.await(sending)) {
                            return;
                        }
                        sending.resultNow(); // throws if the send failed (the guide's unwrap)
                        sending = null;
                        i++;
                    }
                    if (i == count) {
                        tx.close(); // Rust drops tx here; the receiver's loop ends once it is closed
                        step.complete(null);
                        return;
                    }
                    sending = tx.send(i);
                }
            } catch (RuntimeException e) {
                tx.close(); // a failed producer is gone too (a panic drops tx as it unwinds)
                throw e;
            }
        }
    }

    /** Prints each message until {@code recv} gives null: every sender is closed. */
    static final class ConsumerLoop implements Coroutine<Void> {
        private final Mpsc.Receiver<Integer> rx;
        private final Consumer<String> out;
        private Task<Integer> receiving;

        ConsumerLoop(Mpsc.Receiver<Integer> rx, Consumer<String> out) {
            this.rx = rx;
            this.out = out;
        }

        @Override
        public void resume(Step<Void> step) {
            for (;;) {
                if (receiving == null) {
                    receiving = rx.recv();
                }
                if (!step.await(receiving)) {
                    return;
                }
                Integer msg = receiving.resultNow();
                receiving = null;
                if (msg == null) {
                    out.accept("Channel closed: the sender is gone, the loop ends");
                    step.complete(null);
                    return;
                }
                out.accept("Received: " + msg);
            }
        }
    }

    public static void run(Runtime runtime, Consumer<String> out) {
        run(runtime, CAPACITY, out);
    }

    /** With a channel of {@code capacity} (the guide's is 100; a small one makes the producer wait). */
    static void run(Runtime runtime, int capacity, Consumer<String> out) {
        Mpsc.Channel<Integer> channel = Mpsc.bounded(capacity);
        runtime.spawn(new Producer(channel.sender(), MESSAGES));
        runtime.blockOn(new ConsumerLoop(channel.receiver(), out));
    }

    public static void main(String[] args) {
        try (Runtime runtime = Runtime.builder().build()) {
            run(runtime, System.out::println);
        }
    }
}
