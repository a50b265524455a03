# Sourced by ci/test, after ci/lib/java.sh: checks ci/example itself on the jars just built (the
# JUnit tests check each example's code; this checks that the script finds the jars, runs the
# right class with its arguments, and needs no Maven once they are built).
#   krill_check_examples   runs MinimalSleep and checks its two lines, then TcpEchoServer on a
#                          free port and TcpClient against it ("Received: Hello"), then the same
#                          with TcpEchoServerVirtual and TcpClientVirtual (#15: blocking style);
#                          non-zero, with what came out, when anything differs

# How long the echo server may take to say where it listens (a cold JVM here: about 1 s).
KRILL_EXAMPLE_START_SECONDS=60

# krill_check_echo_pair SERVER CLIENT: runs the echo server example on a free port and the
# client against it; non-zero, with what came out, unless the client printed "Received: Hello".
krill_check_echo_pair() {
    local server=$1 client=$2 out server_log server_pid port="" waited=0 status=0
    server_log=$(mktemp "${TMPDIR:-/tmp}/krill-example-echo.XXXXXX")
    ci/example "$server" 0 >"$server_log" &
    server_pid=$!
    while [ -z "$port" ] && [ "$waited" -lt $((KRILL_EXAMPLE_START_SECONDS * 10)) ] && kill -0 "$server_pid" 2>/dev/null; do
        port=$(sed -n 's#^Echo server on .*:\([0-9][0-9]*\) .*#\1#p' "$server_log")
        [ -n "$port" ] || sleep 0.1
        waited=$((waited + 1))
    done
    if [ -z "$port" ]; then
        echo "ci/example $server 0 never said where it listens:" >&2
        cat "$server_log" >&2
        status=1
    else
        out=$(ci/example "$client" "$port") || status=1
        if [ "$out" != "Received: Hello" ]; then
            echo "ci/example $client $port printed '$out', not 'Received: Hello'" >&2
            status=1
        fi
    fi
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    rm -f "$server_log"
    return "$status"
}

krill_check_examples() {
    local out status=0
    # Standard output only: a build, if one was needed, speaks on standard error.
    out=$(ci/example MinimalSleep) || { echo "ci/example MinimalSleep failed: $out" >&2; return 1; }
    if [ "$out" != $'Start\nAfter 1 second' ]; then
        echo "ci/example MinimalSleep printed '$out', not 'Start' then 'After 1 second'" >&2
        return 1
    fi
    krill_check_echo_pair TcpEchoServer TcpClient || status=1
    krill_check_echo_pair TcpEchoServerVirtual TcpClientVirtual || status=1
    [ "$status" -eq 0 ] && echo "ci/test: ci/example ran MinimalSleep, TcpClient against TcpEchoServer and TcpClientVirtual against TcpEchoServerVirtual from the built jars"
    return "$status"
}
