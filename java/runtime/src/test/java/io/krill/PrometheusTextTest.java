package io.krill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link RuntimeMetrics#toPrometheus()} read back line by line as Prometheus would read text
 * format 0.0.4: every line is a HELP, a TYPE or a sample; each family has one HELP and one TYPE,
 * both before its first sample, and its samples together; no series twice; counters end in
 * {@code _total}, and no value is negative. Then counters grow with work, and never shrink.
 */
class PrometheusTextTest {

    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    /** A label value: any character but backslash, quote and line feed, or one of their escapes. */
    private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"";
    private static final Pattern SAMPLE = Pattern.compile(
            "(" + NAME + ")(\\{(?:" + LABEL + "(?:," + LABEL + ")*,?)?})? (\\S+)(?: (-?[0-9]+))?");

    /** One family as parsed: its type, and its samples by series (labels as written). */
    record Family(String type, Map<String, Double> samples) {}

    /** Parses exposition text, failing on the first line that breaks a rule of the format. */
    static Map<String, Family> parse(String text) {
        assertTrue(text.endsWith("\n"), "the last line ends with a line feed");
        Map<String, String> helps = new HashMap<>();
        Map<String, String> types = new HashMap<>();
        Map<String, Family> families = new LinkedHashMap<>();
        Set<String> finished = new LinkedHashSet<>();
        String current = null;
        int number = 0;
        for (String line : text.split("\n", -1)) {
            number++;
            if (line.isEmpty()) {
                continue; // the split's tail after the last line feed, or a blank line (allowed)
            }
            String where = "line " + number + ": '" + line + "'";
            Matcher help = HELP.matcher(line);
            Matcher type = TYPE.matcher(line);
            Matcher sample = SAMPLE.matcher(line);
            if (help.matches()) {
                String name = help.group(1);
                assertTrue(helps.put(name, help.group(2)) == null, "a second HELP, " + where);
                assertTrue(!families.containsKey(name), "HELP after the family's samples, " + where);
            } else if (type.matches()) {
                String name = type.group(1);
                assertTrue(types.put(name, type.group(2)) == null, "a second TYPE, " + where);
                assertTrue(!families.containsKey(name), "TYPE after the family's samples, " + where);
            } else if (line.startsWith("#")) {
                fail("a comment that is neither HELP nor TYPE (allowed, but Krill writes none), " + where);
            } else if (sample.matches()) {
                String name = sample.group(1);
                assertTrue(helps.containsKey(name), "a sample before its family's HELP, " + where);
                assertTrue(types.containsKey(name), "a sample before its family's TYPE, " + where);
                if (!name.equals(current)) {
                    assertTrue(finished.add(name), "the family's samples are not together, " + where);
                    current = name;
                }
                double value;
                try {
                    value = Double.parseDouble(sample.group(3));
                } catch (NumberFormatException e) {
                    throw new AssertionError("not a value, " + where, e);
                }
                assertTrue(value >= 0, "a negative value, " + where);
                if (types.get(name).equals("counter")) {
                    assertTrue(name.endsWith("_total"), "a counter's name ends in _total, " + where);
                }
                Family family = families.computeIfAbsent(name, n -> new Family(types.get(n), new LinkedHashMap<>()));
                String series = sample.group(2) == null ? "" : sample.group(2);
                assertTrue(family.samples().put(series, value) == null, "the same series twice, " + where);
            } else {
                fail("not a line of the text format, " + where);
            }
        }
        for (String name : types.keySet()) {
            assertTrue(helps.containsKey(name), name + " has a TYPE and no HELP");
        }
        return families;
    }

    private static double value(Map<String, Family> families, String name, String series) {
        Family family = families.get(name);
        assertTrue(family != null, "no family " + name + " in " + families.keySet());
        Double value = family.samples().get(series);
        assertTrue(value != null, "no series " + name + series + " in " + family.samples().keySet());
        return value;
    }

    private static double sum(Map<String, Family> families, String name) {
        return families.get(name).samples().values().stream().mapToDouble(Double::doubleValue).sum();
    }

    @Test
    void aLiveRuntimesMetricsParseAndNameEveryWorker() throws Exception {
        try (Runtime runtime = Runtime.builder().workers(2).build()) {
            runtime.blockOn(() -> 1);
            Map<String, Family> families = parse(runtime.metrics().toPrometheus());
            for (String perWorker : List.of("krill_worker_polls_total", "krill_worker_steals_total",
                    "krill_worker_parks_total", "krill_worker_local_queue_depth", "krill_worker_busy_seconds_total")) {
                assertEquals(Set.of("{worker=\"0\"}", "{worker=\"1\"}"), families.get(perWorker).samples().keySet(), perWorker);
            }
            assertEquals(2, value(families, "krill_workers", ""));
            assertEquals(1, value(families, "krill_runtime_info", "{backend=\"" + runtime.metrics().backend() + "\"}"));
            assertEquals("counter", families.get("krill_worker_busy_seconds_total").type());
            assertEquals("gauge", families.get("krill_worker_local_queue_depth").type());
            assertTrue(families.containsKey("krill_blocking_completed_total"), families.keySet().toString());
            if (!runtime.metrics().backend().equals("none")) {
                assertEquals(Set.of("{worker=\"0\"}", "{worker=\"1\"}"),
                        families.get("krill_reactor_events_total").samples().keySet());
                assertEquals(256, value(families, "krill_reactor_ring_capacity", "{worker=\"0\"}"));
            }
        }
    }

    @Test
    void countersGrowWithWorkAndNoneShrinks() throws Exception {
        try (Runtime runtime = Runtime.builder().workers(2).build()) {
            Map<String, Family> before = parse(runtime.metrics().toPrometheus());
            AtomicInteger ran = new AtomicInteger();
            List<JoinHandle<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                tasks.add(runtime.spawn(ran::incrementAndGet));
            }
            for (JoinHandle<Integer> task : tasks) {
                task.join(Duration.ofSeconds(10));
            }
            runtime.spawnBlocking(() -> 1).join(Duration.ofSeconds(10));
            Map<String, Family> after = parse(runtime.metrics().toPrometheus());
            assertTrue(sum(after, "krill_worker_polls_total") >= sum(before, "krill_worker_polls_total") + 100,
                    "a hundred tasks ran a step each");
            assertTrue(sum(after, "krill_worker_busy_seconds_total") > sum(before, "krill_worker_busy_seconds_total"));
            assertEquals(value(before, "krill_blocking_completed_total", "") + 1, value(after, "krill_blocking_completed_total", ""));
            for (Map.Entry<String, Family> family : before.entrySet()) {
                if (!family.getValue().type().equals("counter")) {
                    continue;
                }
                for (Map.Entry<String, Double> series : family.getValue().samples().entrySet()) {
                    double later = value(after, family.getKey(), series.getKey());
                    assertTrue(later >= series.getValue(), family.getKey() + series.getKey() + " went from "
                            + series.getValue() + " to " + later);
                }
            }
        }
    }

    @Test
    void busyTimeIsWrittenInSecondsExactlyAndLabelValuesAreEscaped() throws Exception {
        RuntimeMetrics metrics = new RuntimeMetrics(1, 0, 3, 0, 1, 0, 0, 0, 0, 0, "a\"b\\c\nd",
                List.of(new RuntimeMetrics.Worker(0, 3, 0, 1, 0, 1_500_000_007L)), RuntimeMetrics.Reactor.NONE,
                RuntimeMetrics.BlockingPool.NONE);
        String text = metrics.toPrometheus();
        assertTrue(text.contains("\nkrill_worker_busy_seconds_total{worker=\"0\"} 1.500000007\n"), text);
        assertTrue(text.contains("\nkrill_runtime_info{backend=\"a\\\"b\\\\c\\nd\"} 1\n"), text);
        assertEquals(1.500000007, value(parse(text), "krill_worker_busy_seconds_total", "{worker=\"0\"}"));
    }

    @Test
    void aSnapshotOfTotalsAloneStillRendersValidText() throws Exception {
        RuntimeMetrics totals = new RuntimeMetrics(4, 1, 2, 3, 4, 5, 6, 7, 8, 9, "none");
        Map<String, Family> families = parse(totals.toPrometheus());
        assertEquals(4, value(families, "krill_workers", ""));
        assertEquals(Map.of(), families.getOrDefault("krill_worker_polls_total", new Family("counter", Map.of())).samples(),
                "no per-worker samples without a breakdown");
    }
}
