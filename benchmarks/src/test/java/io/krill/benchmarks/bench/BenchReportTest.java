package io.krill.benchmarks.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {

    private static final List<String> RUNS = List.of(
            "{\"scenario\":\"echo-64\",\"peer\":\"krill\",\"repeat\":1,\"mode\":\"echo\",\"rps\":100000,\"p50_us\":200,\"p90_us\":300,\"p99_us\":900,\"p999_us\":2000,\"server_cpu_us_per_request\":5.0}",
            "{\"scenario\":\"echo-64\",\"peer\":\"netty\",\"repeat\":1,\"mode\":\"netty-echo\",\"rps\":80000,\"p50_us\":250,\"p90_us\":350,\"p99_us\":1000,\"p999_us\":3000,\"server_cpu_us_per_request\":6.0}",
            "{\"scenario\":\"echo-64\",\"peer\":\"krill\",\"repeat\":2,\"mode\":\"echo\",\"rps\":120000,\"p50_us\":100,\"p90_us\":200,\"p99_us\":700,\"p999_us\":1000,\"server_cpu_us_per_request\":4.0}",
            "{\"scenario\":\"echo-64\",\"peer\":\"krill\",\"repeat\":3,\"mode\":\"echo\",\"rps\":90000,\"p50_us\":300,\"p90_us\":400,\"p99_us\":800,\"p999_us\":1500,\"server_cpu_us_per_request\":4.5}",
            "{\"scenario\":\"idle\",\"peer\":\"krill\",\"repeat\":1,\"rss_bytes_per_conn\":400,\"heap_bytes_per_conn\":120,\"offheap_bytes_per_conn\":80}",
            "{\"scenario\":\"idle\",\"peer\":\"netty\",\"repeat\":1,\"rss_bytes_per_conn\":800,\"heap_bytes_per_conn\":600}");

    private static List<BenchReport.Run> runs() {
        return RUNS.stream().map(BenchReport::parse).toList();
    }

    @Test
    void parsesFlatRunsKeepingNumbersAndNames() {
        BenchReport.Run run = BenchReport.parse(RUNS.get(1));
        assertEquals("echo-64", run.scenario());
        assertEquals("netty", run.peer());
        assertEquals(80_000, run.values().get("rps"));
        assertEquals(6.0, run.values().get("server_cpu_us_per_request"));
        assertThrows(IllegalArgumentException.class, () -> BenchReport.parse("{\"rps\":1}"));
    }

    @Test
    void mediansAreTheMiddleOfTheRepeats() {
        assertEquals(3.0, BenchReport.median(List.of(5.0, 1.0, 3.0)));
        assertEquals(2.5, BenchReport.median(List.of(4.0, 1.0, 3.0, 2.0)));
        assertTrue(Double.isNaN(BenchReport.median(List.of())));
        assertEquals(100_000, BenchReport.medians(runs()).get("echo-64").get("krill").get("rps"));
    }

    @Test
    void theTableGivesMediansAndRatiosToTheBaseline() {
        String md = BenchReport.markdown(runs(), "netty", "test machine");
        // krill: median rps 100,000 (1.25x netty's 80,000), median CPU 4.5 us (0.75x netty's 6.0)
        assertTrue(md.contains("| echo-64 | krill | 100,000 | 1.25× | 200 | 800 | 1500 | 4.50 | 0.75× |"), md);
        assertTrue(md.contains("| echo-64 | netty | 80,000 | 1.00× |"), md);
        // krill holds 120 + 80 = 200 bytes per idle connection, netty 600 + 0: a third
        assertTrue(md.contains("| slope | krill | 120 | 80 | 200 | 0.33× | 400 |"), md);
        assertTrue(md.contains("| slope | netty | 600 | 0 | 600 | 1.00× | 800 |"), md);
        assertTrue(md.contains("test machine"), md);
    }

    @Test
    void theChartsArePngFiles(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("runs.jsonl"), RUNS);
        BenchReport.main(new String[] {dir.toString(), "netty", "test machine"});
        byte[] png = {(byte) 0x89, 'P', 'N', 'G'};
        for (String name : List.of("throughput.png", "cpu-per-message.png", "latency-echo-64.png", "idle-memory.png")) {
            byte[] head = new byte[4];
            System.arraycopy(Files.readAllBytes(dir.resolve(name)), 0, head, 0, 4);
            assertArrayEquals(png, head, name);
        }
        assertTrue(Files.readString(dir.resolve("summary.md")).contains("| echo-64 | krill |"));
    }
}
