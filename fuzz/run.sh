#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# fuzz/run.sh SECONDS CORPUS DIR NAME...: run the harness DIR/fuzz-NAME for SECONDS on the
# seed corpus CORPUS/NAME (read only), new inputs kept in DIR/work/NAME and crashes as
# DIR/work/NAME-crash-*; one line per harness: executions, coverage (edges, features),
# corpus size. As many harnesses at once as FUZZ_JOBS (default: the number of cores).
# Exits non-zero when a harness failed (crash, leak, time-out, out of memory).
# A longer run: make -C BUILD fuzz-run FUZZ_SECONDS=3600, or one harness by hand:
#   BUILD/fuzz/fuzz-piv -max_total_time=3600 BUILD/fuzz/work/piv fuzz/corpus/piv
set -u
seconds=$1 corpus=$2 dir=$3
shift 3
jobs=${FUZZ_JOBS:-$(nproc)}

# one NAME: run it, and write its report line to DIR/work/NAME.result
one() {
	name=$1 work="$dir/work/$1" log="$dir/work/$1.log"
	mkdir -p "$work"
	"$dir/fuzz-$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$dir/work/$name-" "$work" "$corpus/$name" >"$log" 2>&1
	st=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | sed -n 's/.*cov: \([0-9]*\) ft: \([0-9]*\) corp: \([0-9]*\).*/\1 edges, \2 features, corpus \3/p')
	if [ "$st" = 0 ]; then
		echo "fuzz-$name: ${execs:-?} executions in ${seconds} s, coverage ${cov:-?}"
	else
		echo "fuzz-$name: FAILED (exit $st) after ${execs:-?} executions; see $log"
		grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -n 5 | sed 's/^/    /'
	fi >"$dir/work/$name.result"
}

mkdir -p "$dir/work"
running=0
for name in "$@"; do
	rm -f "$dir/work/$name.result"
	one "$name" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait
failed=0
for name in "$@"; do
	if [ -f "$dir/work/$name.result" ]; then
		cat "$dir/work/$name.result"
	else
		echo "fuzz-$name: FAILED (no report)"
	fi
	grep -q "^fuzz-$name: FAILED" "$dir/work/$name.result" 2>/dev/null && failed=$((failed + 1))
done
[ "$failed" = 0 ]
