#!/bin/sh
# One bounded libFuzzer run of a harness, and what it found:
#   fuzz_run.sh HARNESS_BIN SECONDS RUNS WORK [SEED_DIR]...
# runs at most SECONDS seconds or RUNS inputs, whichever comes first, with
# WORK/corpus as the corpus (kept between runs; FUZZ_FRESH=1 empties it) and
# the seed directories read, saves each crash, leak, timeout or out-of-memory
# input in WORK/crashes, and prints one line:
#   NAME: N execs, corpus N, cov N, ft N, crashes N, slow N
# (slow: inputs that took more than 10 s, saved as slow-unit-* and not
# failures; a timeout, more than FUZZ_TIMEOUT seconds (60), is a crash: the
# verifier stops a program after a million instructions processed, which a
# sanitizer build on a busy machine takes seconds to reach).
# Exit status: libFuzzer's (0 when nothing was found); the log is WORK/log.
set -u
bin=$1 seconds=$2 runs=$3 work=$4
shift 4
name=$(basename "$bin" | sed 's/^fuzz_input_//')
[ "${FUZZ_FRESH:-0}" = 1 ] && rm -rf "$work/corpus"
mkdir -p "$work/corpus" "$work/crashes"
seeds=
for d in "$@"; do
	[ -d "$d" ] && seeds="$seeds $d"
done
# Programs of more than 2048 instructions add time, not paths.
case $name in
verifier | disasm) max_len=-max_len=16392 ;;
asm) max_len=-max_len=16384 ;;
*) max_len= ;;
esac
# A failed allocation is an input like any other: a request above 1 GiB
# gets NULL, as from glibc on a smaller machine, so that bpfvm's -ENOMEM
# path runs instead of ASan aborting (or libFuzzer's malloc limit, the RSS
# limit, calling it out of memory). The caller's ASAN_OPTIONS come last and
# win. tests/fuzz/CMakeLists.txt gives the regression replays the same.
export ASAN_OPTIONS="${FUZZ_ASAN_OPTIONS:-allocator_may_return_null=1:max_allocation_size_mb=1024}${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
count() { # pattern: files of WORK/crashes
	find "$work/crashes" -type f -name "$1" | wc -l
}
before=$(count '*') slow_before=$(count 'slow-unit-*')
# shellcheck disable=SC2086 # seeds and max_len are lists of words
"$bin" -max_total_time="$seconds" -runs="$runs" -timeout="${FUZZ_TIMEOUT:-60}" \
	-rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$work/crashes/" $max_len \
	"$work/corpus" $seeds >"$work/log" 2>&1
status=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
progress=$(grep -E '^#[0-9]+.* cov: ' "$work/log" | tail -n 1)
cov=$(echo "$progress" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
ft=$(echo "$progress" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
slow=$(( $(count 'slow-unit-*') - slow_before ))
crashes=$(( $(count '*') - before - slow ))
echo "$name: ${execs:-0} execs, corpus $(ls "$work/corpus" | wc -l), cov ${cov:-0}," \
	"ft ${ft:-0}, crashes $crashes, slow $slow"
if [ "$status" -ne 0 ]; then
	echo "$name: libFuzzer exited with $status; the end of $work/log:"
	tail -n 40 "$work/log"
fi
exit "$status"
