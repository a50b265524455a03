# Sourced by ci/load and ci/idle-memory, after ci/lib/java.sh: builds the jars on first use, and
# runs one ci/serve server in the background on a free loopback port.
#   krill_build_if_needed       builds when a jar is missing or predates the load tools (or KRILL_BUILD=1)
#   krill_server_start MODE     starts `ci/serve MODE 0 2`, or for MODE netty-echo / netty-http the
#                               peer `ci/serve-netty echo|http 0 2` (tokio-echo / tokio-http:
#                               `ci/serve-tokio`); sets KRILL_SERVER_PID (the server's pid: the
#                               scripts exec it), KRILL_SERVER_PORT, KRILL_SERVER_LOG.
#                               KRILL_SERVER_THREADS (default 2) sets the workers; KRILL_SERVER_CPUS
#                               (a taskset list, default none) pins the server to those cores.
#   krill_server_stop           SIGTERM, waits up to 10 s (then SIGKILL); non-zero if the server had
#                               died, ignored SIGTERM, or did not exit as a JVM does on SIGTERM.
#                               Idempotent: krill_cleanup runs it again on exit.
#   krill_client COMMAND...     runs the measuring JVM in the background and waits for it, so a
#                               signal to the script reaches the traps below at once
#   krill_traps                 on INT/TERM/HUP exit (so the EXIT trap runs); on EXIT, krill_cleanup:
#                               the client and the server never outlive the script

KRILL_BENCHMARKS_JAR=benchmarks/target/benchmarks.jar
# How long a server may take to start listening (a cold JVM here: about 1 s).
KRILL_SERVER_START_SECONDS=60
KRILL_SERVER_PID=""
KRILL_CLIENT_PID=""

krill_build_if_needed() {
    local examples listing=""
    examples=$(ls java/examples/target/krill-examples-*.jar 2>/dev/null | grep -v -- '-sources\|-tests' | head -n 1 || true)
    if [ -f "$KRILL_BENCHMARKS_JAR" ]; then
        listing=$(jar tf "$KRILL_BENCHMARKS_JAR")
    fi
    if [ "${KRILL_BUILD:-0}" = 1 ] || [ -z "$examples" ] || [[ "$listing" != *io/krill/benchmarks/load/LoadGenerator.class* ]]; then
        echo "ci: building (mvn package -DskipTests)" >&2
        mvn -B -ntp -q -Dstyle.color=never package -DskipTests >&2
    fi
}

krill_server_start() {
    local mode=$1 deadline=$((SECONDS + KRILL_SERVER_START_SECONDS))
    KRILL_SERVER_LOG=$(mktemp "${TMPDIR:-/tmp}/krill-serve.XXXXXX")
    # Port 0: the server binds a free port and prints it; no window for another process to take it.
    local threads=${KRILL_SERVER_THREADS:-2} pin=()
    if [ -n "${KRILL_SERVER_CPUS:-}" ]; then
        pin=(taskset -c "$KRILL_SERVER_CPUS")
    fi
    case "$mode" in
        netty-*) "${pin[@]}" ci/serve-netty "${mode#netty-}" 0 "$threads" >"$KRILL_SERVER_LOG" 2>&1 & ;;
        tokio-*) "${pin[@]}" ci/serve-tokio "${mode#tokio-}" 0 "$threads" >"$KRILL_SERVER_LOG" 2>&1 & ;;
        c-*) "${pin[@]}" ci/serve-c "${mode#c-}" 0 "$threads" >"$KRILL_SERVER_LOG" 2>&1 & ;;
        nio-*) "${pin[@]}" ci/serve-nio "${mode#nio-}" 0 "$threads" >"$KRILL_SERVER_LOG" 2>&1 & ;;
        vthreads-*) "${pin[@]}" ci/serve-vthreads "${mode#vthreads-}" 0 "$threads" >"$KRILL_SERVER_LOG" 2>&1 & ;;
        *) "${pin[@]}" ci/serve "$mode" 0 "$threads" >"$KRILL_SERVER_LOG" 2>&1 & ;;
    esac
    KRILL_SERVER_PID=$!
    KRILL_SERVER_PORT=""
    while true; do
        KRILL_SERVER_PORT=$(sed -n 's/^\(krill\|netty\|tokio\|c\|nio\|vthreads\) .* server on 127\.0\.0\.1:\([0-9][0-9]*\) .*/\2/p' "$KRILL_SERVER_LOG")
        [ -z "$KRILL_SERVER_PORT" ] || break
        if ! kill -0 "$KRILL_SERVER_PID" 2>/dev/null; then
            echo "ci: the $mode server exited before listening:" >&2
            sed 's/^/  /' "$KRILL_SERVER_LOG" >&2
            wait "$KRILL_SERVER_PID" || true # reaped, so the EXIT trap has nothing to stop
            KRILL_SERVER_PID=""
            return 1
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "ci: the $mode server did not report its port within $KRILL_SERVER_START_SECONDS s" >&2
            return 1
        fi
        sleep 0.1
    done
    # It printed the port after listen(); still, prove that it accepts before measuring anything.
    until (exec 3<>"/dev/tcp/127.0.0.1/$KRILL_SERVER_PORT") 2>/dev/null; do
        if [ "$SECONDS" -ge "$deadline" ] || ! kill -0 "$KRILL_SERVER_PID" 2>/dev/null; then
            echo "ci: the $mode server does not accept on port $KRILL_SERVER_PORT" >&2
            return 1
        fi
        sleep 0.1
    done
}

krill_server_stop() {
    [ -n "$KRILL_SERVER_PID" ] || return 0
    local pid=$KRILL_SERVER_PID status=0 code=0 i
    KRILL_SERVER_PID=""
    if ! kill -TERM "$pid" 2>/dev/null; then
        echo "ci: the server (pid $pid) had exited during the run:" >&2
        sed 's/^/  /' "$KRILL_SERVER_LOG" >&2
        status=1
    fi
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "ci: the server (pid $pid) ignored SIGTERM for 10 s; killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
        status=1
    fi
    wait "$pid" || code=$?
    # A JVM stopped by SIGTERM runs its shutdown hooks, then exits with 128 + 15.
    if [ "$status" -eq 0 ] && [ "$code" -ne 143 ] && [ "$code" -ne 0 ]; then
        echo "ci: the server exited with status $code on SIGTERM:" >&2
        sed 's/^/  /' "$KRILL_SERVER_LOG" >&2
        status=1
    fi
    # Krill's servers say what their I/O cost on the way out (backend, native calls per event).
    sed -n 's/^krill .* server stopped: /ci: server stopped: /p' "$KRILL_SERVER_LOG"
    rm -f "$KRILL_SERVER_LOG"
    return "$status"
}

krill_client() {
    local status=0
    "$@" &
    KRILL_CLIENT_PID=$!
    wait "$KRILL_CLIENT_PID" || status=$?
    KRILL_CLIENT_PID=""
    return "$status"
}

krill_cleanup() {
    if [ -n "$KRILL_CLIENT_PID" ]; then
        kill -TERM "$KRILL_CLIENT_PID" 2>/dev/null || true
        wait "$KRILL_CLIENT_PID" 2>/dev/null || true
    fi
    krill_server_stop || true
}

krill_traps() {
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
    trap krill_cleanup EXIT
}
