package io.krill.examples;

import io.krill.Coroutine;
import io.krill.JoinHandle;
import io.krill.Runtime;
import io.krill.Step;
import io.krill.Task;
import io.krill.sync.Broadcast;
import io.krill.time.Time;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The guide's "Broadcast (Pub/Sub)", twice: first as the guide wrote it, then in the order that
 * does what it meant.
 *
 * <pre>{@code
 * let (tx, _) = broadcast::channel(10);
 * for i in 0..5 { tx.send(i).unwrap(); }          // publisher
 * let mut rx1 = tx.subscribe();                     // multiple subscribers
 * let mut rx2 = tx.subscribe();
 * tokio::spawn(async move { while let Ok(msg) = rx1.recv().await { println!("Sub1: {}", msg); } });
 * tokio::spawn(async move { while let Ok(msg) = rx2.recv().await { println!("Sub2: {}", msg); } });
 * tokio::time::sleep(Duration::from_millis(100)).await;
 * }</pre>
 *
 * A broadcast receiver sees only what is sent after it subscribed (Tokio's rule, and Krill's).
 * The guide subscribes after the five sends, so its subscribers receive nothing: the sends
 * reach no receiver (the {@code _} dropped the first one at once). There Tokio's {@code send}
 * returns {@code Err(SendError)}, so the guide's {@code unwrap()} would panic on the first send;
 * Krill's {@link Broadcast#send} returns the number of receivers instead, 0, which the twin
 * prints. Subscribing first, each subscriber prints 0 … 4.
 *
 * <p>The guide's subscribers would wait until the runtime is dropped; Java has no drop, so the
 * twin closes the channel, which ends each loop ({@code recv} gives null), and each
 * subscriber says how many messages it got.
 */
public final class BroadcastPubSub {

    static final int CAPACITY = 10;
    static final int MESSAGES = 5;
    static final Duration GUIDE_WAIT = Duration.ofMillis(100);

    private BroadcastPubSub() {}

    /** {@code while let Ok(msg) = rx.recv().await}: prints until the channel ends or fails; gives the count. */
    static final class Subscriber implements Coroutine<Integer> {
        private final String name;
        private final Broadcast.Receiver<Integer> rx;
        private final Consumer<String> out;
        private Task<Integer> receiving;
        private int received;

        Subscriber(String name, Broadcast.Receiver<Integer> rx, Consumer<String> out) {
            this.name = name;
            this.rx = rx;
            this.out = out;
        }

        @Override
        public void resume(Step<Integer> step) {
            for (;;) {
                if (receiving == null) {
                    receiving = rx.recv();
                }
                if (!step.await(receiving)) {
                    return;
                }
                Throwable failure = receiving.failureNow();
                Integer msg = failure == null ? receiving.resultNow() : null;
                receiving = null;
                if (msg == null) { // closed (null) or lagged (a failure): the guide's Err ends the loop
                    rx.close();
                    out.accept(name + ": loop ended after " + received + " messages"
                            + (failure == null ? "" : " (" + failure.getMessage() + ")"));
                    step.complete(received);
                    return;
                }
                received++;
                out.accept(name + ": " + msg);
            }
        }
    }

    /** The guide's order: five sends, then two subscribers, which receive nothing. */
    static void asTheGuideWroteIt(Runtime runtime, Consumer<String> out) {
        out.accept("As the guide wrote it: five sends, then two subscribers");
        Broadcast<Integer> tx = new Broadcast<>(CAPACITY);
        for (int i = 0; i < MESSAGES; i++) {
            out.accept("Sent " + i + " to " + tx.send(i) + " receivers");
        }
        JoinHandle<Integer> sub1 = runtime.spawn(new Subscriber("Sub1", tx.subscribe(), out));
        JoinHandle<Integer> sub2 = runtime.spawn(new Subscriber("Sub2", tx.subscribe(), out));
        runtime.blockOn(runtime.spawn(() -> Time.sleep(GUIDE_WAIT)).then(sleeping -> sleeping));
        tx.close(); // the guide's runtime ends here; closing lets the loops end and report
        runtime.blockOn(sub1);
        runtime.blockOn(sub2);
    }

    /** Subscribed before the sends: each subscriber prints 0 … 4. */
    static void subscribedFirst(Runtime runtime, Consumer<String> out) {
        out.accept("Subscribed first: two subscribers, then five sends");
        Broadcast<Integer> tx = new Broadcast<>(CAPACITY);
        JoinHandle<Integer> sub1 = runtime.spawn(new Subscriber("Sub1", tx.subscribe(), out));
        JoinHandle<Integer> sub2 = runtime.spawn(new Subscriber("Sub2", tx.subscribe(), out));
        for (int i = 0; i < MESSAGES; i++) {
            tx.send(i);
        }
        tx.close(); // no more sends: each loop ends once it has seen all five
        runtime.blockOn(sub1);
        runtime.blockOn(sub2);
    }

    public static void run(Runtime runtime, Consumer<String> out) {
        asTheGuideWroteIt(runtime, out);
        subscribedFirst(runtime, out);
    }

    public static void main(String[] args) {
        try (Runtime runtime = Runtime.builder().build()) {
            run(runtime, System.out::println);
        }
    }
}
