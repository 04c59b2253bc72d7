#!/bin/sh
# `make reliability`: runs the project's fuzzers for a set time each and
# prints one table of what they tried and what they found, also written to
# REPORT so the figures can be quoted (docs/reliability.md reads it).
#
#   scripts/reliability.sh [BUILD] [FUZZ_BUILD]
#   environment: VERIFIER_SECONDS ENGINES_SECONDS INPUTS_SECONDS (300 each),
#                SEED (1), REPORT (BUILD/reliability.txt), MAKE (make)
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

# The n-th number of the line that starts with `prefix` (the fuzzers' own
# summaries: tests/verifier/fuzz_verifier.c, tests/engine/fuzz_engines.c).
field() { # log prefix n
	grep "^$2" "$1" | tail -n 1 | tr -c '0-9\n' ' ' | awk -v n="$3" '{ print $n + 0 }'
}

v=$report.verifier.log e=$report.engines.log i=$report.inputs.log
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
	for name in object verifier asm disasm; do
		line=$(grep "^$name: " "$i" | tail -n 1)
		printf '%-28s %8s %12s %12s %12s  %s\n' "libFuzzer $name" "$inputs_seconds" \
			"$(echo "$line" | awk '{ print $2 + 0 }')" - \
			"$(echo "$line" | sed -n 's/.*crashes \([0-9]*\).*/\1/p')" \
			"crashes, leaks, hangs (inputs; $(echo "$line" | sed -n 's/.*\(corpus [0-9]*, cov [0-9]*\).*/\1/p'))"
	done
	echo
	echo "verifier soundness: traps by class (the kernel's verdicts on them when bpf() works):"
	sed -n '/^fuzz_verifier: traps by class:/,$p' "$v" | sed 1d | grep '^  ' || echo "  none"
	echo "logs: $v, $e, $i"
} | tee "$report"
exit "$status"
