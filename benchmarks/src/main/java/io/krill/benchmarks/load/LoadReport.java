package io.krill.benchmarks.load;

import java.util.List;
import org.HdrHistogram.Histogram;
import java.util.Locale;

/** What {@link LoadGenerator}'s workers measured, merged, and how it is printed. */
record LoadReport(LoadConfig config, Histogram latencies, long responses, long readBytes,
                  int wrongResponses, int failedConnections, String firstError, long serverCpuNanos) {

    /** @param serverCpuNanos the server's CPU time over the measured window, or -1 when not sampled */
    static LoadReport merge(LoadConfig config, List<LoadWorker> workers, long serverCpuNanos) {
        Histogram latencies = new Histogram(3);
        long responses = 0;
        long readBytes = 0;
        int wrong = 0;
        int failed = 0;
        String firstError = null;
        for (LoadWorker worker : workers) {
            latencies.add(worker.histogram);
            responses += worker.measuredResponses;
            readBytes += worker.measuredReadBytes;
            wrong += worker.wrongResponses;
            failed += worker.failedConnections;
            if (firstError == null) {
                firstError = worker.firstError;
            }
        }
        return new LoadReport(config, latencies, responses, readBytes, wrong, failed, firstError, serverCpuNanos);
    }

    /** Every response right, no connection lost, and at least one response measured. */
    boolean ok() {
        return wrongResponses == 0 && failedConnections == 0 && responses > 0;
    }

    double requestsPerSecond() {
        return responses / config.durationSeconds();
    }

    /** Response bytes read in the measured window, in MB (10^6 bytes) per second. */
    double megabytesPerSecond() {
        return readBytes / config.durationSeconds() / 1e6;
    }

    /** The server's CPU microseconds per measured response (user + system, all its threads), or -1. */
    double serverCpuMicrosPerRequest() {
        return serverCpuNanos < 0 || responses == 0 ? -1 : serverCpuNanos / 1e3 / responses;
    }

    private double micros(double percentile) {
        return latencies.getValueAtPercentile(percentile) / 1e3;
    }

    String text() {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "requests    %,d in %s s = %,.0f requests/s%n", responses,
                LoadGenerator.seconds(config.durationSeconds()), requestsPerSecond()));
        text.append(String.format(Locale.ROOT, "throughput  %.2f MB/s of responses%n", megabytesPerSecond()));
        text.append(String.format(Locale.ROOT, "latency us  p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f  (mean %.1f)%n",
                micros(50), micros(90), micros(99), micros(99.9), latencies.getMaxValue() / 1e3, latencies.getMean() / 1e3));
        text.append(String.format(Locale.ROOT, "errors      %d wrong responses, %d failed connections%s%n", wrongResponses,
                failedConnections, firstError == null ? "" : "; first: " + firstError));
        if (serverCpuNanos >= 0) {
            text.append(String.format(Locale.ROOT, "server cpu  %.2f us per request (%.2f s of CPU in the measured %s s)%n",
                    serverCpuMicrosPerRequest(), serverCpuNanos / 1e9, LoadGenerator.seconds(config.durationSeconds())));
        }
        if (responses == 0 && wrongResponses == 0 && failedConnections == 0) {
            text.append("errors      no response completed in the measured window\n");
        }
        return text.toString();
    }

    String resultLine() {
        return String.format(Locale.ROOT,
                "RESULT mode=%s connections=%d threads=%d pipeline=%d size=%d seconds=%s requests=%d rps=%.0f mb_per_s=%.3f"
                        + " p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f errors=%d%s",
                config.modeName(), config.connections(), config.threads(), config.pipeline(),
                config.requestBytes(), LoadGenerator.seconds(config.durationSeconds()), responses, requestsPerSecond(),
                megabytesPerSecond(), micros(50), micros(90), micros(99), micros(99.9), latencies.getMaxValue() / 1e3,
                wrongResponses + failedConnections,
                serverCpuNanos < 0 ? "" : String.format(Locale.ROOT, " server_cpu_us_per_request=%.2f", serverCpuMicrosPerRequest()));
    }
}
