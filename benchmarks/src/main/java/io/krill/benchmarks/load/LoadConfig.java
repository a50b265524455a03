package io.krill.benchmarks.load;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What one load run does; see {@link LoadGenerator} for the options. {@code modeName} is the
 * mode as given ({@code echo-task} and {@code echo} are both {@link Mode#ECHO} to the client, but
 * name different servers), for the report.
 */
record LoadConfig(String host, int port, Mode mode, String modeName, int connections, int threads, double warmupSeconds,
                  double durationSeconds, int sizeBytes, int pipeline, long serverPid, int clockTicks) {

    enum Mode {
        /** Each request is sizeBytes random bytes; the response must be the same bytes. */
        ECHO,
        /** Each request is a GET; the response must be a 200 with a Content-Length body. */
        HTTP
    }

    static final String USAGE = """
            usage: LoadGenerator --port P [options]
              --host H          server address (default 127.0.0.1)
              --port P          server port (required)
              --mode M          echo | http (default echo; echo-task, echo-vthread and the peers' netty-, tokio-, c-, nio- and vthreads-echo are echo
                                to the client, their -http modes http)
              --connections C   connections, each a closed loop (default 50)
              --threads T       client threads, one Selector each (default 1: the server has the other core)
              --warmup S        seconds run but not measured (default 1)
              --duration S      seconds measured (default 5)
              --size B          echo request size in bytes (default 64; ignored for http)
              --pipeline N      requests in flight per connection (default 1)
              --server-pid P    the server's pid: report its CPU time per request over the measured window
                                (utime + stime of /proc/P/stat; default 0, not reported)
              --clock-ticks N   the unit of those times per second, getconf CLK_TCK (default 100)""";

    static LoadConfig parse(String[] args) {
        Options options = Options.parse(args, Set.of("port"), Map.of(
                "host", "127.0.0.1", "mode", "echo", "connections", "50", "threads", "1",
                "warmup", "1", "duration", "5", "size", "64", "pipeline", "1", "server-pid", "0", "clock-ticks", "100"));
        String modeName = options.string("mode").toLowerCase(Locale.ROOT);
        Mode mode = switch (modeName) {
            case "echo", "echo-task", "echo-vthread", "netty-echo", "tokio-echo", "c-echo", "nio-echo", "vthreads-echo" -> Mode.ECHO;
            case "http", "netty-http", "tokio-http", "c-http", "nio-http", "vthreads-http" -> Mode.HTTP;
            default -> throw new IllegalArgumentException("--mode must be echo or http, got '" + options.string("mode") + "'");
        };
        int connections = options.integer("connections", 1, 100_000);
        return new LoadConfig(options.string("host"), options.integer("port", 1, 65_535), mode, modeName, connections,
                Math.min(connections, options.integer("threads", 1, 64)), options.decimal("warmup", 0, 3_600),
                options.decimal("duration", 0.1, 3_600), options.integer("size", 1, 16 << 20),
                options.integer("pipeline", 1, 1_024), options.integer("server-pid", 0, Integer.MAX_VALUE),
                options.integer("clock-ticks", 1, 1_000_000));
    }

    /** Bytes of one request on the wire. */
    int requestBytes() {
        return mode == Mode.ECHO ? sizeBytes : RequestPattern.HTTP_REQUEST.length;
    }
}
