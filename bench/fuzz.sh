#!/usr/bin/env bash
# Coverage-guided fuzzing of every input path (issue 16), one Jazzer run per target, one after
# the other, each for the given minutes; prints the executions per target at the end.
#
#   target                                   module    what it feeds
#   text      TextFuzzTest#text              protocol  classic text commands, random read boundaries
#   meta      MetaFuzzTest#meta              protocol  meta commands (mg ms md ma mn me), random read boundaries
#   binary    BinaryFuzzTest#binary          protocol  binary protocol stream, random read boundaries
#   udp       UdpFuzzTest#datagrams          server    UDP datagrams through UdpHandler
#   memfile   MemoryFileFuzzTest#damagedFile store     a damaged memory file, opened and read
#
# Usage: bench/fuzz.sh [minutes per target, default 10] [target ...]   (default: all five)
#        RUNS=10000000 bench/fuzz.sh 75 meta   stops a target after that many inputs (or the minutes)
# The build uses the "fuzz" profile (classes for Java 23 in target/fuzz: Jazzer 0.24 instruments
# class files up to Java 23 only). The corpus a run grows stays in <module>/.cifuzz-corpus
# (ignored by git); a finding is written by Jazzer into the target's committed corpus directory
# (src/test/resources/dev/mnemo/<module>/<Class>Inputs/<method>/crash-…), so that once fixed
# it is replayed by every normal build. Logs: bench/results/fuzz-<target>.log.
# Instrumented: every dev.mnemo class (Jazzer's default is the test's own package only) but the
# harnesses' own: the targets, their drivers and oracles (ReplyGrammar), the test doubles. Their
# branches and comparisons say nothing about the code under test, yet under instrumentation the
# oracle's scan of every reply byte cost more than the replies (bench/fuzz.sh 2 text, 2026-12-06).
# An input is a finding after 60 s (-timeout); libFuzzer's "slow unit" report, which it would
# also write into the committed corpus directory, waits as long (its default, 10 s, is reached
# by ordinary inputs when the run gets little CPU, as at idle priority on a busy machine).
# Needs: 2+ cores; nothing else runs the targets at the same time.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/jdk.sh"
minutes="${1:-10}"
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(text meta binary udp memfile)
seconds=$((minutes * 60))
runs_limit="${RUNS:--1}"
mkdir -p "$root/bench/results"

# Harness classes left uninstrumented (coverage and comparison hooks): ':'-separated class names
# (Jazzer's globs are foo.Bar, foo.* and foo.** only; a name matches that class alone, not its nested ones).
harness='dev.mnemo.protocol.TextFuzzTest:dev.mnemo.protocol.MetaFuzzTest:dev.mnemo.protocol.BinaryFuzzTest'
harness+=':dev.mnemo.protocol.TextConnectionFuzzer:dev.mnemo.protocol.ReplyGrammar:dev.mnemo.protocol.Client'
harness+=':dev.mnemo.protocol.BinaryClient:dev.mnemo.protocol.BinaryClient$Response:dev.mnemo.protocol.TestServer'
harness+=':dev.mnemo.server.UdpFuzzTest:dev.mnemo.store.StoreReset:dev.mnemo.store.ManualClock'

declare -A module=([text]=protocol [meta]=protocol [binary]=protocol [udp]=server [memfile]=store)
declare -A test=([text]='TextFuzzTest#text' [meta]='MetaFuzzTest#meta' [binary]='BinaryFuzzTest#binary'
                 [udp]='UdpFuzzTest#datagrams' [memfile]='MemoryFileFuzzTest#damagedFile')

summary=()
for target in "${targets[@]}"; do
    [[ -n "${module[$target]:-}" ]] || { echo "fuzz: unknown target $target (text meta binary udp memfile)" >&2; exit 2; }
    log="$root/bench/results/fuzz-$target.log"
    echo "fuzz: $target for $minutes min, log $log" >&2
    status=0
    (cd "$root" && JAZZER_FUZZ=1 mvn -B -o -q -P fuzz verify -pl "${module[$target]}" -am \
        -Dtest="${test[$target]}" -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.hooks=true -Djazzer.instrument="dev.mnemo.**" \
        -Djazzer.instrumentation_excludes="$harness" -Djazzer.custom_hook_excludes="$harness" \
        -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time="$seconds" \
        -Djazzer.internal.arg.2=-timeout=60 -Djazzer.internal.arg.3=-report_slow_units=60 \
        -Djazzer.internal.arg.4=-runs="$runs_limit") >"$log" 2>&1 || status=$?
    runs="$(grep -oE '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 | awk '{print $2, $5}')"
    executions="${runs% *}"
    took="${runs#* }"
    rate="-"
    [[ -n "$runs" && "$took" -gt 0 ]] && rate=$((executions / took))
    result="no finding"
    if grep -q 'FuzzTestFindingException' "$log"; then
        result="FINDING: $(grep -oE 'Test unit written to [^ ]+' "$log" | tail -1 | sed 's/Test unit written to //')"
    elif [[ $status -ne 0 ]]; then
        result="FAILED (exit $status), see the log"
    fi
    summary+=("$(printf '%-8s %12s %8s %8s  %s' "$target" "${executions:--}" "${took:--}" "$rate" "$result")")
done

echo
printf '%-8s %12s %8s %8s  %s\n' target executions seconds exec/s result
printf '%s\n' "${summary[@]}"
