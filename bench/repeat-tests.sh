#!/usr/bin/env bash
# Runs test classes N times over (issue 12: the crash and concurrency stress tests must pass
# repeatedly) and prints how many runs of each class passed and failed. Each run is one offline
# Maven invocation of all the classes in their modules (-pl <modules> -am, -Dtest=<classes>); a
# class passes a run when its surefire report shows tests run and no failure or error. The reports
# of a failed run are kept in bench/results/repeat-tests-<UTC time>/run-<n>/ (ignored by git).
#
# Usage: bench/repeat-tests.sh [N] [TestClass …]
#   N defaults to 5; the classes to ConcurrencyStressTest CrashRecoveryTest HostileFileTest (store)
#   and ColocatedCrashTest (server). A class is found by its file name under */src/test/java.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/jdk.sh
source "$root/scripts/jdk.sh"
runs="${1:-5}"
shift || true
classes=("$@")
(( ${#classes[@]} )) || classes=(ConcurrencyStressTest CrashRecoveryTest HostileFileTest ColocatedCrashTest)
out="$root/bench/results/repeat-tests-$(date -u +%Y%m%dT%H%M%SZ)"

declare -A module passed failed
for class in "${classes[@]}"; do
    source_file="$(find "$root" -path '*/src/test/java/*' -name "$class.java" -not -path '*/target/*' | head -1)"
    [[ -n "$source_file" ]] || { echo "repeat-tests: no test class $class" >&2; exit 64; }
    module[$class]="${source_file#"$root"/}"
    module[$class]="${module[$class]%%/src/test/*}"
    passed[$class]=0
    failed[$class]=0
done
modules="$(printf '%s\n' "${module[@]}" | sort -u | paste -sd,)"
tests="$(IFS=,; echo "${classes[*]}")"
echo "repeat-tests: $runs runs of $tests (modules $modules)"

for run in $(seq 1 "$runs"); do
    for class in "${classes[@]}"; do rm -f "$root/${module[$class]}"/target/surefire-reports/*".$class".{xml,txt}; done
    mkdir -p "$out"
    if ! (cd "$root" && mvn -B -o -q -pl "$modules" -am test -Dtest="$tests" -Dsurefire.failIfNoSpecifiedTests=false \
            -Dmaven.test.failure.ignore=true) > "$out/maven.log" 2>&1; then
        echo "repeat-tests: Maven failed (not a test failure); see $out/maven.log" >&2
        exit 1
    fi
    line="run $run:"
    for class in "${classes[@]}"; do
        reports=("$root/${module[$class]}"/target/surefire-reports/TEST-*".$class.xml")
        # tests run (less skipped), failures + errors; "0 1" when there is no report
        read -r ran bad < <(grep -s -m1 '<testsuite ' "${reports[0]}" | awk '{
            for (i = 1; i <= NF; i++) if (split($i, kv, "=") == 2) { gsub(/[">]/, "", kv[2]); a[kv[1]] = kv[2] }
            print a["tests"] - a["skipped"], a["failures"] + a["errors"] }' | grep . || echo "0 1")
        if (( ran > 0 && bad == 0 )); then
            passed[$class]=$((passed[$class] + 1))
            line+=" $class ok"
        else
            failed[$class]=$((failed[$class] + 1))
            line+=" $class FAILED"
            mkdir -p "$out/run-$run"
            cp "$root/${module[$class]}"/target/surefire-reports/*".$class".* "$out/run-$run/" 2>/dev/null || true
        fi
    done
    echo "$line"
done

for class in "${classes[@]}"; do
    printf '%-24s passed %d, failed %d of %d\n' "$class" "${passed[$class]}" "${failed[$class]}" "$runs"
done
rm -f "$out/maven.log"
rmdir "$out" 2>/dev/null || true
status=0
for class in "${classes[@]}"; do (( failed[$class] == 0 )) || status=1; done
exit "$status"
