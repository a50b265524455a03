package io.krill;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.krill.internal.jni.OpenDescriptors;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** Workers parked in epoll: a runtime's descriptors exist while it runs and are gone after shutdown. */
@EnabledOnOs(OS.LINUX)
class RuntimeParkingTest {

    @Test
    void eachWorkerHoldsAnEpollAndAnEventfdUntilShutdown() {
        io.krill.internal.jni.NativeLibrary.load();
        Map<Integer, String> before = OpenDescriptors.snapshot();
        Runtime runtime = Runtime.builder().workers(3).build();
        assertEquals(Map.of("anon_inode:[eventfd]", 3, "anon_inode:[eventpoll]", 3), OpenDescriptors.kindsOpenedSince(before),
                "each of 3 workers: an epoll instance and an eventfd");
        for (int i = 0; i < 1_000; i++) { // wake-ups from outside go through the eventfds
            int n = i;
            assertEquals(n * 2, runtime.spawn(() -> n * 2).join(), "the task ran and its result came back");
        }
        runtime.shutdown(Duration.ofSeconds(5));
        assertEquals(Map.of(), OpenDescriptors.openedSince(before), "shutdown closes every descriptor it opened");
    }

    @Test
    void withoutNativeParkingNoDescriptorIsOpened() {
        Map<Integer, String> before = OpenDescriptors.snapshot();
        try (Runtime runtime = Runtime.builder().workers(2).nativeParking(false).build()) {
            assertEquals(Map.of(), OpenDescriptors.openedSince(before));
            assertEquals(7, runtime.spawn(() -> 7).join());
        }
    }
}
