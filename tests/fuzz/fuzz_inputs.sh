#!/bin/sh
# `make fuzz-inputs`: every harness for SECONDS seconds, one after the other:
#   fuzz_inputs.sh FUZZ_BUILD OBJECTS_BUILD SECONDS [HARNESS]...
# FUZZ_BUILD is a clang build with BPFVM_SANITIZE=ON (its tests/fuzz holds
# the harnesses); the seeds are the objects compiled in OBJECTS_BUILD. Each
# harness keeps its corpus and crashes in FUZZ_BUILD/fuzz-inputs/NAME. Prints
# fuzz_run.sh's line per harness; exits 1 if any found something.
set -u
fuzz_build=$1 objects_build=$2 seconds=$3
shift 3
src=$(cd "$(dirname "$0")/../.." && pwd)
bin=$fuzz_build/tests/fuzz
out=$fuzz_build/fuzz-inputs
harnesses=${*:-object verifier asm disasm ns}
mkdir -p "$out"
"$src/tests/fuzz/make_seeds.sh" "$bin/make_seeds" "$src" "$objects_build" "$out/seeds" \
	>"$out/seeds.log" 2>&1 || { cat "$out/seeds.log"; exit 2; }
status=0
for name in $harnesses; do
	# -runs=-1: no limit but the time.
	"$src/tests/fuzz/fuzz_run.sh" "$bin/fuzz_input_$name" "$seconds" -1 "$out/$name" \
		"$src/tests/fuzz/regressions/$name" "$out/seeds/$name" || status=1
done
[ "$status" -eq 0 ] || echo "fuzz-inputs: crashes saved in $out/*/crashes"
exit "$status"
