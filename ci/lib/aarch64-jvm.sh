# Sourced by .ci/run and ci/test: a real aarch64 JVM, run under qemu-aarch64 on this x86_64
# machine, loads the linux-aarch_64 platform jar that native's profile cross-linux-aarch_64
# built, runs the launcher (io.krill.Krill: backend choice, library load, ABI check, self-check,
# runtime check), then an echo round trip (examples TcpEchoServer and TcpClient, both on that
# JVM), then the launcher once more without the platform jar, where the runtime falls back to
# JNA (whose epoll_event is 16 bytes on aarch64, 12 on x86_64: a layout no other test runs). The JVM is Debian trixie's openjdk-25-jre-headless for arm64 with the four libraries it
# links (glibc, libgcc, libstdc++, zlib), unpacked with dpkg-deb into a sysroot that
# `qemu-aarch64 -L` uses; nothing is installed and no dpkg architecture is added.
#   krill_aarch64_jdk_fetch   downloads the pinned .debs from the Debian mirror that apt is
#                             configured with (checking each SHA-256), unpacks them into
#                             $KRILL_AARCH64_SYSROOT and makes its absolute symlinks relative
#                             (a JVM under qemu-user opens conf/security/java.security through
#                             one); nothing to do when that sysroot is complete. Non-zero, with
#                             the reason, when a download fails or a checksum differs.
#   krill_aarch64_jvm_check   runs the checks on the jars in */target (built already); sets
#                             KRILL_AARCH64_JVM_PASSED (checks that passed, of 3) and
#                             KRILL_AARCH64_JVM_SKIPPED (3 when there is no qemu-aarch64 or no
#                             sysroot: then it says why and returns 0); non-zero on a failure.
#                             KRILL_JVM_WARNINGS: the pattern of JVM warnings that fail it.
# KRILL_AARCH64_JAVA_OPTS replaces the JVM options (default: C1 only; C2 compiling under
# emulation costs more than it saves in runs this short).

# Outside target/: ci/test's `mvn clean` would remove it. Gitignored (/.cache/).
KRILL_AARCH64_CACHE=${KRILL_AARCH64_CACHE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.cache/aarch64-jvm}
KRILL_AARCH64_SYSROOT=$KRILL_AARCH64_CACHE/sysroot
KRILL_AARCH64_JAVA_HOME=$KRILL_AARCH64_SYSROOT/usr/lib/jvm/java-25-openjdk-arm64
KRILL_AARCH64_JAVA_OPTS=${KRILL_AARCH64_JAVA_OPTS:--XX:TieredStopAtLevel=1}
# How long one emulated JVM may take (the launcher measured 22-44 s here, an example JVM 7-25 s).
KRILL_AARCH64_TIMEOUT_SECONDS=300

# Pool path and SHA-256 of each .deb (trixie, arm64). A trixie point release that replaces one
# of these versions takes the old one off the mirror: then the fetch fails and names the file;
# take the new Filename and SHA256 from dists/trixie/main/binary-arm64/Packages.xz.
KRILL_AARCH64_DEBS=(
    "pool/main/o/openjdk-25/openjdk-25-jre-headless_25.0.5+8-1~deb13u1_arm64.deb 27ee4e070f06a09ce74feff0b80ad23934507273782f9723b2074186d8513048"
    "pool/main/g/glibc/libc6_2.41-12+deb13u5_arm64.deb 0966fc3da1a26cc57647c68b5736f791b6e7eb498173a7993f63b6c89b4ed4f5"
    "pool/main/g/gcc-14/libgcc-s1_14.2.0-19_arm64.deb 1108bc87879833d6d9a145f22a4a15cddb34e065b4b5f4b97bee586adbac2851"
    "pool/main/g/gcc-14/libstdc++6_14.2.0-19_arm64.deb 6669b0c52a2e7c6af9adfdabce3ff6e286065cdfbc7b85280862b5f799daebee"
    "pool/main/z/zlib/zlib1g_1.3.dfsg+really1.3.1-1+deb13u1_arm64.deb 0e41b3d7ad8ad7fcd36dd4d61ca91a70018478fc4af652e044f4be770784ddff"
)

# The Debian archive URIs apt is configured with (deb822 .sources and one-line sources.list),
# without the security archive: the pool paths above are the main archive's.
krill_debian_mirrors() {
    {
        sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | tr ' ' '\n'
        sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([a-z]*:\/\/[^[:space:]]*\).*/\2/p' \
            /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null
    } | grep -E '^https?://' | grep -v -- '-security' | sed 's#/*$##' | awk '!seen[$0]++'
}

krill_aarch64_jdk_fetch() {
    local entry path sum file mirror mirrors got link target
    if [ -f "$KRILL_AARCH64_CACHE/complete" ] && [ -x "$KRILL_AARCH64_JAVA_HOME/bin/java" ]; then
        return 0
    fi
    mirrors=$(krill_debian_mirrors)
    if [ -z "$mirrors" ]; then
        echo "aarch64 JVM: no Debian mirror in apt's sources to download the arm64 JDK from" >&2
        return 1
    fi
    mkdir -p "$KRILL_AARCH64_CACHE/debs"
    for entry in "${KRILL_AARCH64_DEBS[@]}"; do
        path=${entry% *}
        sum=${entry#* }
        file=$KRILL_AARCH64_CACHE/debs/${path##*/}
        if [ -f "$file" ] && echo "$sum  $file" | sha256sum -c --status; then
            continue
        fi
        got=0
        for mirror in $mirrors; do
            if curl -sfL --retry 2 -m 300 -o "$file.part" "$mirror/$path"; then
                got=1
                break
            fi
        done
        if [ "$got" -ne 1 ]; then
            rm -f "$file.part"
            echo "aarch64 JVM: could not download $path from $(echo $mirrors) (a point release may have replaced this version: see the pins in ci/lib/aarch64-jvm.sh)" >&2
            return 1
        fi
        if ! echo "$sum  $file.part" | sha256sum -c --status; then
            rm -f "$file.part"
            echo "aarch64 JVM: $path does not have the pinned SHA-256 $sum" >&2
            return 1
        fi
        mv "$file.part" "$file"
    done
    rm -rf "$KRILL_AARCH64_SYSROOT"
    mkdir -p "$KRILL_AARCH64_SYSROOT"
    for entry in "${KRILL_AARCH64_DEBS[@]}"; do
        path=${entry% *}
        dpkg-deb -x "$KRILL_AARCH64_CACHE/debs/${path##*/}" "$KRILL_AARCH64_SYSROOT" || return 1
    done
    # trixie is merged-/usr, but the /lib link comes from base-files: the ELF interpreter is
    # /lib/ld-linux-aarch64.so.1.
    ln -sfn usr/lib "$KRILL_AARCH64_SYSROOT/lib"
    # qemu-user prefixes the paths a program opens, not the targets of the links it meets: an
    # absolute link (jvm.cfg, java.security -> /etc/java-25-openjdk/...) would leave the sysroot.
    while IFS= read -r link; do
        target=$(readlink "$link")
        ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$KRILL_AARCH64_SYSROOT$target")" "$link"
    done < <(find "$KRILL_AARCH64_SYSROOT" -type l -lname '/*')
    touch "$KRILL_AARCH64_CACHE/complete"
}

# krill_aarch64_java CLASSPATH ARGS...: the emulated JVM, within the time limit.
krill_aarch64_java() {
    local classpath=$1
    shift
    # shellcheck disable=SC2086 # KRILL_AARCH64_JAVA_OPTS: a list of options
    timeout "$KRILL_AARCH64_TIMEOUT_SECONDS" qemu-aarch64 -L "$KRILL_AARCH64_SYSROOT" \
        "$KRILL_AARCH64_JAVA_HOME/bin/java" $KRILL_AARCH64_JAVA_OPTS --enable-native-access=ALL-UNNAMED \
        -cp "$classpath" "$@"
}

krill_aarch64_jvm_check() {
    KRILL_AARCH64_JVM_PASSED=0
    KRILL_AARCH64_JVM_SKIPPED=0
    if [ "$(uname -m)" != x86_64 ]; then
        echo "ci/test: linux-aarch_64 JVM checks skipped: they emulate aarch64 on x86_64, and this is $(uname -m)"
        KRILL_AARCH64_JVM_SKIPPED=3
        return 0
    fi
    if ! command -v qemu-aarch64 >/dev/null 2>&1; then
        echo "ci/test: linux-aarch_64 JVM checks skipped: no qemu-aarch64 (Debian's qemu-user)"
        KRILL_AARCH64_JVM_SKIPPED=3
        return 0
    fi
    if [ ! -f "$KRILL_AARCH64_CACHE/complete" ] || [ ! -x "$KRILL_AARCH64_JAVA_HOME/bin/java" ]; then
        echo "ci/test: linux-aarch_64 JVM checks skipped: no arm64 JDK in $KRILL_AARCH64_SYSROOT (.ci/run fetches it: source ci/lib/aarch64-jvm.sh; krill_aarch64_jdk_fetch)"
        KRILL_AARCH64_JVM_SKIPPED=3
        return 0
    fi
    local runtime platform examples jna lib classpath out start status=0 server_log server_pid port="" waited=0
    runtime=$(ls java/runtime/target/krill-runtime-*.jar 2>/dev/null | grep -v -- '-sources\|-javadoc\|-tests' | head -n 1 || true)
    platform=$(ls native/target/krill-native-*-linux-aarch_64.jar 2>/dev/null | head -n 1 || true)
    examples=$(ls java/examples/target/krill-examples-*.jar 2>/dev/null | grep -v -- '-sources\|-tests' | head -n 1 || true)
    jna=$(ls java/examples/target/lib/jna-*.jar 2>/dev/null | head -n 1 || true)
    if [ -z "$runtime" ] || [ -z "$platform" ] || [ -z "$examples" ] || [ -z "$jna" ]; then
        echo "ci/test: the aarch64 JVM check needs the runtime, linux-aarch_64, examples and JNA jars; found '$runtime' '$platform' '$examples' '$jna'" >&2
        return 1
    fi
    # slf4j from the examples' dependencies, not their linux-x86_64 platform jar: the only
    # libkrill on this class path is the aarch64 one.
    lib=$(ls java/examples/target/lib/slf4j-api-*.jar java/examples/target/lib/slf4j-jdk14-*.jar | tr '\n' ':')
    lib=${lib%:}
    classpath="$runtime:$platform:$lib"

    start=$(date +%s)
    out=$(krill_aarch64_java "$classpath" io.krill.Krill 2>&1) || status=$?
    echo "$out" | sed 's/^/  aarch64> /'
    if [ "$status" -ne 0 ]; then
        echo "ci/test: io.krill.Krill on the aarch64 JVM exited with status $status" >&2
        return 1
    fi
    # The launcher must have picked linux-aarch_64 by itself (os.arch aarch64), loaded libkrill
    # from that jar, and passed the self-check; and no JVM may have warned.
    if ! grep -q '^  platform   linux-aarch_64 ' <<<"$out" \
        || ! grep -q "^  backend    jni, poller epoll (the platform jar loaded: libkrill linux-aarch_64 from jar:" <<<"$out" \
        || [ "$(grep -c '^  check      ' <<<"$out")" -lt 2 ]; then
        echo "ci/test: the aarch64 JVM did not load the linux-aarch_64 jar and pass the self-check (output above)" >&2
        return 1
    fi
    if grep -nE "${KRILL_JVM_WARNINGS:-^WARNING: }" <<<"$out"; then
        echo "ci/test: the aarch64 JVM printed the warnings above" >&2
        return 1
    fi
    echo "ci/test: the aarch64 JVM loaded the linux-aarch_64 jar and passed the self-check in $(( $(date +%s) - start )) s"
    KRILL_AARCH64_JVM_PASSED=1

    start=$(date +%s)
    classpath="$examples:$classpath"
    server_log=$(mktemp "${TMPDIR:-/tmp}/krill-aarch64-echo.XXXXXX")
    krill_aarch64_java "$classpath" io.krill.examples.TcpEchoServer 0 >"$server_log" 2>&1 &
    server_pid=$!
    while [ -z "$port" ] && [ "$waited" -lt $((KRILL_AARCH64_TIMEOUT_SECONDS * 10)) ] && kill -0 "$server_pid" 2>/dev/null; do
        port=$(sed -n 's#^Echo server on .*:\([0-9][0-9]*\) .*#\1#p' "$server_log")
        [ -n "$port" ] || sleep 0.1
        waited=$((waited + 1))
    done
    status=0
    if [ -z "$port" ]; then
        echo "ci/test: TcpEchoServer on the aarch64 JVM never said where it listens:" >&2
        status=1
    else
        out=$(krill_aarch64_java "$classpath" io.krill.examples.TcpClient "$port" 2>&1) || status=1
        echo "$out" | sed 's/^/  aarch64> /'
        if ! grep -qx "Received: Hello" <<<"$out"; then
            echo "ci/test: TcpClient on the aarch64 JVM did not get 'Hello' back from the aarch64 server" >&2
            status=1
        fi
    fi
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    sed 's/^/  aarch64 server> /' "$server_log"
    if [ "$status" -eq 0 ] && grep -qE "${KRILL_JVM_WARNINGS:-^WARNING: }" "$server_log" <(echo "$out"); then
        echo "ci/test: the aarch64 echo JVMs printed a warning (above)" >&2
        status=1
    fi
    rm -f "$server_log"
    [ "$status" -eq 0 ] || return 1
    echo "ci/test: echo round trip between two aarch64 JVMs (TcpEchoServer, TcpClient) in $(( $(date +%s) - start )) s"
    KRILL_AARCH64_JVM_PASSED=2

    start=$(date +%s)
    status=0
    out=$(krill_aarch64_java "$runtime:$jna:$lib" io.krill.Krill 2>&1) || status=$?
    echo "$out" | sed 's/^/  aarch64> /'
    if [ "$status" -ne 0 ] || ! grep -q '^  backend    jna, poller epoll ' <<<"$out" \
        || [ "$(grep -c '^  check      .* through jna$\|^  check      loopback TCP' <<<"$out")" -lt 2 ]; then
        echo "ci/test: io.krill.Krill without the platform jar on the aarch64 JVM (status $status) did not fall back to JNA and pass the self-check" >&2
        return 1
    fi
    if grep -nE "${KRILL_JVM_WARNINGS:-^WARNING: }" <<<"$out"; then
        echo "ci/test: the aarch64 JVM printed the warnings above" >&2
        return 1
    fi
    echo "ci/test: the aarch64 JVM without the platform jar fell back to JNA and passed the self-check in $(( $(date +%s) - start )) s"
    KRILL_AARCH64_JVM_PASSED=3
}
