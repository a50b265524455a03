package io.krill.internal.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Coroutine;
import io.krill.Runtime;
import io.krill.Step;
import io.krill.Task;
import io.krill.time.Time;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

/** The runtime's JFR events, recorded for real and read back from the recording file. */
class KrillEventsTest {

    /** A coroutine whose one step blocks its worker for 30 ms: a slow poll. */
    static final class Hog implements Coroutine<Void> {
        @Override
        public void resume(Step<Void> step) throws InterruptedException {
            Thread.sleep(30); // deliberately blocking: that is what the event is for
            step.complete(null);
        }
    }

    /**
     * #13: a failure reported to the uncaught hook (here a spawned task that throws and that
     * nobody joins) is a JFR event too, on by default, and the worker goes on.
     */
    @Test
    void anUncaughtFailureIsRecordedAndTheWorkerGoesOn() throws Exception {
        Path file = Files.createTempFile("krill-failures", ".jfr");
        java.util.concurrent.LinkedBlockingQueue<Throwable> reported = new java.util.concurrent.LinkedBlockingQueue<>();
        try (Runtime runtime = Runtime.builder().workers(1).uncaughtExceptionHandler(reported::add).build();
                Recording recording = new Recording()) {
            recording.start(); // default settings: the event is on without asking
            assertTrue(KrillEvents.failures, "the flag follows the recording");
            runtime.spawn(() -> {
                throw new IllegalStateException("deliberate, for the recording");
            });
            Throwable failure = reported.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(failure instanceof IllegalStateException, "reported to the hook: " + failure);
            assertEquals(7, runtime.spawn(() -> 7).join(), "the worker went on");
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> failures = RecordingFile.readAllEvents(file).stream()
                .filter(event -> event.getEventType().getName().equals("io.krill.UncaughtFailure"))
                .toList();
        assertEquals(1, failures.size(), "one event per failure: " + failures);
        assertEquals(IllegalStateException.class.getName(), failures.get(0).getString("failure"));
        assertEquals("deliberate, for the recording", failures.get(0).getString("message"));
        assertTrue(failures.get(0).getString("thread").startsWith("krill-worker"), failures.get(0).getString("thread"));
        Files.delete(file);
    }

    @Test
    void slowPollsParksStealsAndBatchesAreRecordedOnlyWhileARecordingWantsThem() throws Exception {
        assertFalse(KrillEvents.slowPolls && KrillEvents.parks, "no recording runs yet");
        Path file = Files.createTempFile("krill-events", ".jfr");
        try (Runtime runtime = Runtime.builder().workers(2).build();
                Recording recording = new Recording()) {
            recording.enable(SlowPollEvent.class).withThreshold(Duration.ofMillis(10));
            recording.enable(WorkerParkEvent.class).withThreshold(Duration.ZERO);
            recording.enable(TaskStealEvent.class);
            recording.enable(ReactorBatchEvent.class);
            recording.start();
            assertTrue(KrillEvents.slowPolls && KrillEvents.parks && KrillEvents.steals && KrillEvents.reactorBatches,
                    "the flags follow the recording");
            runtime.spawn(new Hog()).join();
            runtime.blockOn(() -> Time.sleep(Duration.ofMillis(5)).map(v -> null)).join(); // a timed park
            List<Task<Integer>> many = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) { // enough quick tasks from outside that one worker steals
                many.add(runtime.spawn(() -> 1));
            }
            Task.all(many).join();
            // A certain steal: a task queues work on its own worker, then holds that worker, so
            // the other one (woken by the spawns) can run it only by stealing.
            runtime.spawn(() -> {
                Runtime current = Runtime.current();
                for (int i = 0; i < 64; i++) {
                    current.spawn(() -> 1);
                }
                Thread.sleep(100); // deliberately blocking
                return null;
            }).join();
            recording.stop();
            assertFalse(KrillEvents.slowPolls, "off again once the recording stopped");
            recording.dump(file);
        }
        Map<String, List<RecordedEvent>> byName = new java.util.HashMap<>();
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            byName.computeIfAbsent(event.getEventType().getName(), k -> new ArrayList<>()).add(event);
        }
        Files.delete(file);
        // The 30 ms step is slow; a first step that loads classes may be too, so others may appear.
        List<RecordedEvent> slow = byName.getOrDefault("io.krill.SlowPoll", List.of()).stream()
                .filter(event -> event.getString("task").equals(Hog.class.getName())).toList();
        assertEquals(1, slow.size(), "the hog's step, named by its coroutine's class: " + byName.get("io.krill.SlowPoll"));
        assertTrue(slow.getFirst().getDuration().toMillis() >= 29, "its duration: " + slow.getFirst().getDuration());
        assertTrue(byName.getOrDefault("io.krill.SlowPoll", List.of()).stream()
                .allMatch(event -> event.getDuration().toMillis() >= 10), "none below the threshold");
        assertFalse(byName.getOrDefault("io.krill.WorkerPark", List.of()).isEmpty(), "parks recorded");
        assertFalse(byName.getOrDefault("io.krill.ReactorBatch", List.of()).isEmpty(), "reactor batches recorded");
        List<RecordedEvent> steals = byName.getOrDefault("io.krill.TaskSteal", List.of());
        assertFalse(steals.isEmpty(), "the held worker's queue was stolen");
        for (RecordedEvent steal : steals) {
            assertTrue(steal.getInt("worker") != steal.getInt("victim"), "a steal names two different workers");
        }
    }
}
