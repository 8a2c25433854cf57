# Sourced by ./mnemo and ./run-tests: finds a JDK 25 or newer (JAVA_HOME, then Temurin 25 at its
# Debian path), exports JAVA_HOME and the MAVEN_OPTS that keep Maven 3.8 quiet on JDK 25, or stops
# with a message naming what to install. Messages start with the calling script's name.

# Prints the major Java version of the JDK at $1, or nothing if there is none.
java_major() {
    [[ -x "$1/bin/java" ]] || return 0
    "$1/bin/java" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}

jdk=""
for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64; do
    [[ -n "$candidate" ]] || continue
    major="$(java_major "$candidate")"
    if [[ -n "$major" && "$major" -ge 25 ]]; then
        jdk="$candidate"
        break
    fi
done
if [[ -z "$jdk" ]]; then
    caller="$(basename "$0")"
    echo "$caller: needs JDK 25 or newer. Install a JDK 25 (Eclipse Temurin 25: Debian package temurin-25-jdk" >&2
    echo "$caller: from the Adoptium apt repository) or point JAVA_HOME at a JDK 25." >&2
    exit 1
fi
export JAVA_HOME="$jdk"
# Maven 3.8 itself calls sun.misc.Unsafe, which JDK 25 warns about; allow it quietly.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
