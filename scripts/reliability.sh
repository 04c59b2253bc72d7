#!/bin/sh
# `make reliability`: runs the project's fuzzers for a set time each and
# prints one table of what they tried and what they found, also written to
# REPORT so the figures can be quoted (docs/reliability.md reads it).
#
#   scripts/reliability.sh [BUILD] [FUZZ_BUILD]
#   environment: VERIFIER_SECONDS ENGINES_SECONDS INPUTS_SECONDS (300 each),
#                KERNEL_PROGRAMS (10000; 0: no kernel differential run),
#                STRESS_ROUNDS (3; 0: none), SEED (1),
#                REPORT (BUILD/reliability.txt), MAKE (make)
#
# BUILD is the gcc build (`make build`), FUZZ_BUILD the clang one of the
# libFuzzer harnesses (`make fuzz-inputs`). Each fuzzer's whole output is kept
# beside the report (REPORT.verifier.log, ...). A fuzzer that finds something
# does not stop the others; the exit status is 1 if any did.
set -u
build=${1:-build}
fuzz_build=${2:-build-fuzz}
verifier_seconds=${VERIFIER_SECONDS:-300}
engines_seconds=${ENGINES_SECONDS:-300}
inputs_seconds=${INPUTS_SECONDS:-300}
kernel_programs=${KERNEL_PROGRAMS:-10000}
stress_rounds=${STRESS_ROUNDS:-3}
seed=${SEED:-1}
report=${REPORT:-$build/reliability.txt}
make=${MAKE:-make}
cd "$(dirname "$0")/.." || exit 2
mkdir -p "$(dirname "$report")"
status=0

$make --no-print-directory fuzz-verifier BUILD="$build" SECONDS="$verifier_seconds" \
	SEED="$seed" >"$report.verifier.log" 2>&1 || status=1
$make --no-print-directory fuzz-engines BUILD="$build" SECONDS="$engines_seconds" \
	SEED="$seed" >"$report.engines.log" 2>&1 || status=1
$make --no-print-directory fuzz-inputs BUILD="$build" FUZZ_BUILD="$fuzz_build" \
	SECONDS="$inputs_seconds" >"$report.inputs.log" 2>&1 || status=1
: >"$report.kernel.log"
if [ "$kernel_programs" -gt 0 ]; then
	$make --no-print-directory fuzz-kernel BUILD="$build" N="$kernel_programs" \
		SEED="$seed" >"$report.kernel.log" 2>&1 || status=1
fi
# The stress tests (tests/stress) run again and again: each round is every
# scenario of the maps' test once, with a kill storm at new random moments,
# and the prog array swapped by processes on each engine.
stress_failed=0
: >"$report.stress.log"
round=0
while [ "$round" -lt "$stress_rounds" ]; do
	{ "$build/tests/stress/test_stress_maps" "$build/tests/stress" &&
		"$build/tests/stress/test_stress_prog_array" "$build/tests/stress" jit &&
		"$build/tests/stress/test_stress_prog_array" "$build/tests/stress" interp; } \
		>>"$report.stress.log" 2>&1 || stress_failed=$((stress_failed + 1))
	round=$((round + 1))
done
[ "$stress_failed" -eq 0 ] || status=1

# The n-th number of the line that starts with `prefix` (the fuzzers' own
# summaries: tests/verifier/fuzz_verifier.c, tests/engine/fuzz_engines.c).
field() { # log prefix n
	grep "^$2" "$1" | tail -n 1 | tr -c '0-9\n' ' ' | awk -v n="$3" '{ print $n + 0 }'
}

v=$report.verifier.log e=$report.engines.log i=$report.inputs.log k=$report.kernel.log
{
	echo "bpfvm reliability report: $(date -u '+%Y-%m-%d %H:%M UTC'), commit" \
		"$(git rev-parse --short HEAD 2>/dev/null || echo unknown), seed $seed," \
		"kernel $(uname -r), $(nproc) CPUs"
	echo
	printf '%-28s %8s %12s %12s %12s  %s\n' fuzzer seconds tried accepted found "found what"
	printf '%-28s %8s %12s %12s %12s  %s\n' "verifier soundness" "$verifier_seconds" \
		"$(field "$v" 'fuzz_verifier: [0-9]* iterations' 1)" \
		"$(field "$v" 'fuzz_verifier: [0-9]* iterations' 2)" \
		"$(field "$v" 'fuzz_verifier: [0-9]* iterations' 5)" \
		"traps in checked mode of accepted mutants (programs)"
	printf '%-28s %8s %12s %12s %12s  %s\n' "engines differential" "$engines_seconds" \
		"$(field "$e" 'fuzz_engines: [0-9]* iterations' 1)" \
		"$(field "$e" 'fuzz_engines: [0-9]* iterations' 5)" \
		"$(field "$e" 'fuzz_engines: [0-9]* runs' 5)" \
		"interpreter/JIT mismatches over $(field "$e" 'fuzz_engines: [0-9]* runs' 3) compared runs"
	# kdiff's summary (tests/kdiff/kdiff.c): bytecode and C programs tried,
	# the kernel's and bpfvm's verdicts, mismatches.
	if [ "$kernel_programs" -gt 0 ]; then
		printf '%-28s %8s %12s %12s %12s  %s\n' "kernel differential" \
			"$(field "$k" 'kdiff: seed' 4)" \
			"$(($(field "$k" 'kdiff: [0-9]* bytecode' 1) + $(field "$k" 'kdiff: [0-9]* C programs' 1)))" \
			"$(field "$k" 'kdiff: [0-9]* bytecode' 5)" \
			"$(field "$k" 'kdiff: [0-9]* mismatches' 1)" \
			"mismatches with the kernel (tried: bytecode + C; accepted: by both; $(field "$k" 'kdiff: seed' 6) programs/s, $(field "$k" 'kdiff: seed' 2) workers)"
	fi
	printf '%-28s %8s %12s %12s %12s  %s\n' "stress (threads+processes)" - \
		"$stress_rounds" "$((stress_rounds - stress_failed))" "$stress_failed" \
		"rounds failed of tests/stress: maps' scenarios, prog array swapped by processes (accepted: clean rounds)"
	for name in object verifier asm disasm ns; do
		line=$(grep "^$name: " "$i" | tail -n 1)
		printf '%-28s %8s %12s %12s %12s  %s\n' "libFuzzer $name" "$inputs_seconds" \
			"$(echo "$line" | awk '{ print $2 + 0 }')" - \
			"$(echo "$line" | sed -n 's/.*crashes \([0-9]*\).*/\1/p')" \
			"crashes, leaks, hangs (inputs; $(echo "$line" | sed -n 's/.*\(corpus [0-9]*, cov [0-9]*\).*/\1/p'))"
	done
	echo
	echo "verifier soundness: traps by class (the kernel's verdicts on them when bpf() works):"
	sed -n '/^fuzz_verifier: traps by class:/,$p' "$v" | sed 1d | grep '^  ' || echo "  none"
	echo "logs: $v, $e, $i, $k, $report.stress.log"
} | tee "$report"
exit "$status"
