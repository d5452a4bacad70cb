#!/usr/bin/env bash
# Run each fuzz target for SECONDS (default 60), two at a time, after seeding;
# leaks are not reported: values form reference cycles (rec sets, builtins.builtins)
# that live until the process ends;
# crashes land in artifacts/TARGET/. Usage: fuzz/run-all.sh [SECONDS]
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
secs="${1:-60}"
cd "$here"
[ -d corpus/eval ] || ./seed.sh
export ASAN_OPTIONS=detect_leaks=0
run() {
    cargo +nightly fuzz run -O "$1" -- -max_total_time="$secs" -rss_limit_mb=2048 -detect_leaks=0 \
        -timeout=20 -max_len=8192 > "fuzz-$1.log" 2>&1
    echo "$1: exit $? $(grep -o 'stat::number_of_executed_units: [0-9]*' "fuzz-$1.log")"
}
targets="${TARGETS:-eval parse print_parse json_roundtrip}"
set -- $targets
while [ $# -gt 0 ]; do
    run "$1" & [ $# -gt 1 ] && run "$2" & wait
    shift; [ $# -gt 0 ] && shift
done
