# Sourced by the scripts under ci/: points JAVA_HOME at a JDK 25 or newer, or stops with a
# message that says how to get one. Maven itself must run on it (.mvn/jvm.config uses a JDK 24+
# flag, and the enforcer requires 25).

krill_java_major() { # prints the feature version of the java at $1/bin/java, or nothing
    "$1/bin/java" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

krill_find_jdk() {
    local candidate major
    for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/*-25* /usr/lib/jvm/*; do
        [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
        major=$(krill_java_major "$candidate")
        if [ -n "$major" ] && [ "$major" -ge 25 ]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

if ! KRILL_JDK=$(krill_find_jdk); then
    echo "ci: no JDK 25 found (looked at \$JAVA_HOME and /usr/lib/jvm/*)." >&2
    echo "ci: install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
    exit 1
fi
export JAVA_HOME="$KRILL_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
