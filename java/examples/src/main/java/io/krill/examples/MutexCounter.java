package io.krill.examples;

import io.krill.Coroutine;
import io.krill.JoinHandle;
import io.krill.Runtime;
import io.krill.Step;
import io.krill.Task;
import io.krill.sync.Mutex;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The guide's "Mutex (Lock)": ten tasks each add one to a shared counter a hundred times,
 * taking an async lock for each addition; the total is 1000.
 *
 * <pre>{@code
 * let counter = Arc::new(Mutex::new(0));
 * for _ in 0..10 {
 *     let c = Arc::clone(&counter);
 *     tasks.push(tokio::spawn(async move {
 *         for _ in 0..100 {
 *             let mut num = c.lock().await;
 *             *num += 1;
 *         }
 *     }));
 * }
 * for task in tasks { task.await.unwrap(); }
 * println!("Counter: {}", *counter.lock().await);
 * }</pre>
 *
 * The {@code Arc} is the garbage collector's; the guard's drop at the end of the loop body is
 * {@code try (guard)}. Each task's loop awaits the lock, so it is a {@link Coroutine}.
 */
public final class MutexCounter {

    static final int TASKS = 10;
    static final int INCREMENTS_PER_TASK = 100;

    private MutexCounter() {}

    /** One task: locks, adds one, unlocks, {@code times} times. */
    static final class Incrementer implements Coroutine<Void> {
        private final Mutex<Integer> counter;
        private int left;
        private Task<Mutex.Guard<Integer>> locking;

        Incrementer(Mutex<Integer> counter, int times) {
            this.counter = counter;
            this.left = times;
        }

        @Override
        public void resume(Step<Void> step) {
            for (;;) {
                if (locking != null) {
                    if (!step.await(locking)) {
                        return; // the lock is someone else's: resumed when it is ours
                    }
                    try (Mutex.Guard<Integer> num = locking.resultNow()) {
                        num.set(num.get() + 1);
                    }
                    locking = null;
                    left--;
                }
                if (left == 0) {
                    step.complete(null);
                    return;
                }
                locking = counter.lock();
            }
        }
    }

    public static void run(Runtime runtime, Consumer<String> out) {
        Mutex<Integer> counter = new Mutex<>(0);
        List<JoinHandle<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < TASKS; t++) {
            tasks.add(runtime.spawn(new Incrementer(counter, INCREMENTS_PER_TASK)));
        }
        for (JoinHandle<Void> task : tasks) {
            runtime.blockOn(task); // fails here if the task failed, as the guide's unwrap()
        }
        int total = runtime.blockOn(counter.lock().map(num -> {
            try (num) {
                return num.get();
            }
        }));
        out.accept("Counter: " + total);
    }

    public static void main(String[] args) {
        try (Runtime runtime = Runtime.builder().build()) {
            run(runtime, System.out::println);
        }
    }
}
