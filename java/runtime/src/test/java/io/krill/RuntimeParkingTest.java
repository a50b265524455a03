package io.krill;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** Workers parked in epoll: a runtime's descriptors exist while it runs and are gone after shutdown. */
@EnabledOnOs(OS.LINUX)
class RuntimeParkingTest {

    private static long openDescriptors() throws IOException {
        try (var entries = Files.list(Path.of("/proc/self/fd"))) {
            return entries.count() - 1;
        }
    }

    @Test
    void eachWorkerHoldsAnEpollAndAnEventfdUntilShutdown() throws IOException {
        io.krill.internal.jni.NativeLibrary.load();
        long before = openDescriptors();
        Runtime runtime = Runtime.builder().workers(3).build();
        assertEquals(before + 6, openDescriptors());
        for (int i = 0; i < 1_000; i++) { // wake-ups from outside go through the eventfds
            int n = i;
            assertEquals(n * 2, runtime.spawn(() -> n * 2).join(), "the task ran and its result came back");
        }
        runtime.shutdown(Duration.ofSeconds(5));
        assertEquals(before, openDescriptors(), "shutdown closes every descriptor it opened");
    }

    @Test
    void withoutNativeParkingNoDescriptorIsOpened() throws IOException {
        long before = openDescriptors();
        try (Runtime runtime = Runtime.builder().workers(2).nativeParking(false).build()) {
            assertEquals(before, openDescriptors());
            assertEquals(7, runtime.spawn(() -> 7).join());
        }
    }
}
