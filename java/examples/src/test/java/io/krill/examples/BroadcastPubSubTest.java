package io.krill.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Runtime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = Output.TEST_SECONDS, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BroadcastPubSubTest {

    private static List<String> of(List<String> lines, String subscriber) {
        return lines.stream().filter(line -> line.startsWith(subscriber + ":")).toList();
    }

    @Test
    void subscribedAfterTheSendsTheyGetNothingSubscribedFirstEachGetsZeroToFour() {
        Output out = new Output();
        try (Runtime runtime = Runtime.builder().workers(2).pausedClock().build()) {
            BroadcastPubSub.run(runtime, out);
        }
        List<String> lines = out.lines();
        int second = lines.indexOf("Subscribed first: two subscribers, then five sends");
        assertEquals("As the guide wrote it: five sends, then two subscribers", lines.get(0));
        assertTrue(second > 0, lines.toString());

        List<String> guide = lines.subList(1, second);
        assertEquals(List.of("Sent 0 to 0 receivers", "Sent 1 to 0 receivers", "Sent 2 to 0 receivers",
                "Sent 3 to 0 receivers", "Sent 4 to 0 receivers"), guide.subList(0, 5));
        assertEquals(List.of("Sub1: loop ended after 0 messages"), of(guide, "Sub1"), guide.toString());
        assertEquals(List.of("Sub2: loop ended after 0 messages"), of(guide, "Sub2"), guide.toString());
        assertEquals(7, guide.size(), guide.toString());

        List<String> fixed = lines.subList(second + 1, lines.size());
        for (String sub : List.of("Sub1", "Sub2")) {
            assertEquals(List.of(sub + ": 0", sub + ": 1", sub + ": 2", sub + ": 3", sub + ": 4",
                    sub + ": loop ended after 5 messages"), of(fixed, sub), fixed.toString());
        }
        assertEquals(12, fixed.size(), fixed.toString());
    }
}
