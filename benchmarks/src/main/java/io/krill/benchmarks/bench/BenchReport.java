package io.krill.benchmarks.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ci/bench}'s summary (#17): reads the runs it recorded ({@code runs.jsonl}, one flat JSON
 * object per run), takes the median of each scenario and server over its repeats, and writes
 * {@code summary.md}: requests/s, latency percentiles and the server's CPU time per message,
 * with ratios to a baseline server, plus idle memory per connection where it was measured.
 * Usage: {@code BenchReport DIR BASELINE [MACHINE-LINE]}.
 */
public final class BenchReport {

    private BenchReport() {}

    /** One run: its scenario, server and the numbers its RESULT line gave. */
    record Run(String scenario, String peer, Map<String, Double> values) {}

    private static final Pattern FIELD = Pattern.compile("\"([a-z0-9_]+)\":(\"[^\"]*\"|-?[0-9.eE+]+)");

    static Run parse(String line) {
        Map<String, String> text = new LinkedHashMap<>();
        Map<String, Double> values = new LinkedHashMap<>();
        Matcher m = FIELD.matcher(line);
        while (m.find()) {
            String value = m.group(2);
            if (value.startsWith("\"")) {
                text.put(m.group(1), value.substring(1, value.length() - 1));
            } else {
                values.put(m.group(1), Double.parseDouble(value));
            }
        }
        if (!text.containsKey("scenario") || !text.containsKey("peer")) {
            throw new IllegalArgumentException("a run without scenario or peer: " + line);
        }
        return new Run(text.get("scenario"), text.get("peer"), values);
    }

    /** The median of what is there (the mean of the middle two for an even count); NaN for none. */
    static double median(List<Double> values) {
        List<Double> sorted = values.stream().filter(v -> !v.isNaN()).sorted().toList();
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    /** Medians by scenario, then server, then field, in the order the runs came. */
    static Map<String, Map<String, Map<String, Double>>> medians(List<Run> runs) {
        Map<String, Map<String, Map<String, List<Double>>>> all = new LinkedHashMap<>();
        for (Run run : runs) {
            Map<String, List<Double>> fields = all.computeIfAbsent(run.scenario(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(run.peer(), k -> new LinkedHashMap<>());
            run.values().forEach((field, value) -> fields.computeIfAbsent(field, k -> new ArrayList<>()).add(value));
        }
        Map<String, Map<String, Map<String, Double>>> medians = new LinkedHashMap<>();
        all.forEach((scenario, peers) -> peers.forEach((peer, fields) -> fields.forEach((field, values) ->
                medians.computeIfAbsent(scenario, k -> new LinkedHashMap<>()).computeIfAbsent(peer, k -> new LinkedHashMap<>())
                        .put(field, median(values)))));
        return medians;
    }

    private static String number(double value, String format) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, format, value);
    }

    private static String ratio(double value, double baseline) {
        return Double.isNaN(value) || Double.isNaN(baseline) || baseline == 0 ? "–"
                : String.format(Locale.ROOT, "%.2f×", value / baseline);
    }

    private static double field(Map<String, Double> fields, String name) {
        return fields == null ? Double.NaN : fields.getOrDefault(name, Double.NaN);
    }

    /** Off-heap bytes per connection; 0 for a server whose run reported none (NMT off: nothing native per connection seen). */
    private static double offHeap(Map<String, Double> fields) {
        double value = field(fields, "offheap_bytes_per_conn");
        return Double.isNaN(value) && fields != null ? 0 : value;
    }

    /** Heap plus off-heap bytes per idle connection: what the server holds for it. */
    static double held(Map<String, Double> fields) {
        return field(fields, "heap_bytes_per_conn") + offHeap(fields);
    }

    static String markdown(List<Run> runs, String baseline, String machine) {
        Map<String, Map<String, Map<String, Double>>> medians = medians(runs);
        StringBuilder md = new StringBuilder();
        md.append("# ci/bench\n\n").append(machine).append("\n\n");
        md.append("Medians over the repeats; ratios are to **").append(baseline).append("** in the same run (CPU per message: lower is better).\n\n");
        if (medians.keySet().stream().anyMatch(scenario -> !scenario.equals("idle"))) {
            md.append("| scenario | server | requests/s | × ").append(baseline)
                    .append(" | p50 µs | p99 µs | p99.9 µs | server CPU µs/msg | × ").append(baseline).append(" |\n");
            md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        }
        Set<String> idle = new LinkedHashSet<>();
        medians.forEach((scenario, peers) -> {
            if (scenario.equals("idle")) {
                idle.add(scenario);
                return;
            }
            Map<String, Double> base = peers.get(baseline);
            peers.forEach((peer, fields) -> md.append("| ").append(scenario).append(" | ").append(peer)
                    .append(" | ").append(number(field(fields, "rps"), "%,.0f"))
                    .append(" | ").append(ratio(field(fields, "rps"), field(base, "rps")))
                    .append(" | ").append(number(field(fields, "p50_us"), "%.0f"))
                    .append(" | ").append(number(field(fields, "p99_us"), "%.0f"))
                    .append(" | ").append(number(field(fields, "p999_us"), "%.0f"))
                    .append(" | ").append(number(field(fields, "server_cpu_us_per_request"), "%.2f"))
                    .append(" | ").append(ratio(field(fields, "server_cpu_us_per_request"), field(base, "server_cpu_us_per_request")))
                    .append(" |\n"));
        });
        if (!idle.isEmpty()) {
            // Heap (after a full GC) plus off-heap (NMT) is what a connection holds; RSS is shown too,
            // but a pre-touched heap hides heap growth from it, so its slope is the noisier one.
            md.append("\n| idle connections, bytes each | server | heap | off-heap | heap + off-heap | × ").append(baseline)
                    .append(" | RSS |\n");
            md.append("|---|---|---:|---:|---:|---:|---:|\n");
            Map<String, Map<String, Double>> peers = medians.get("idle");
            Map<String, Double> base = peers.get(baseline);
            peers.forEach((peer, fields) -> md.append("| slope | ").append(peer)
                    .append(" | ").append(number(field(fields, "heap_bytes_per_conn"), "%,.0f"))
                    .append(" | ").append(number(offHeap(fields), "%,.0f"))
                    .append(" | ").append(number(held(fields), "%,.0f"))
                    .append(" | ").append(ratio(held(fields), held(base)))
                    .append(" | ").append(number(field(fields, "rss_bytes_per_conn"), "%,.0f"))
                    .append(" |\n"));
        }
        return md.toString();
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: BenchReport DIR BASELINE [MACHINE-LINE]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        List<Run> runs = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("runs.jsonl"), StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                runs.add(parse(line));
            }
        }
        String markdown = markdown(runs, args[1], args.length > 2 ? args[2] : "");
        Files.writeString(dir.resolve("summary.md"), markdown, StandardCharsets.UTF_8);
        Charts.write(dir, medians(runs), args[1]);
        System.out.print(markdown);
    }
}
