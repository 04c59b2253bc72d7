#!/bin/sh
# Held-out judging (issue 5): every program of every BPF object under the
# directories given, verified by the running kernel (libbpf, load only) and
# by bpfvm, side by side (bench/bench_verify does the loading and timing);
# then the judge's summary:
#
#   - of the programs the kernel accepts, how many bpfvm accepts (goal: all);
#   - of the unsafe programs (an object named unsafe_*.o, or a program named
#     unsafe_*), how many bpfvm accepts (goal: none), and how many the kernel
#     accepts (an "unsafe" variant the kernel accepts is not unsafe: its
#     mistake did not survive clang, say so rather than count it);
#   - the programs the kernel refuses and bpfvm accepts;
#   - bpfvm's verification time over the kernel's, median and spread.
#
#   usage: tools/heldout/compare.sh [--rounds N] DIR|OBJECT...
#   BENCH_VERIFY=path/to/bench_verify overrides the build's.
#
# Without a usable bpf() the kernel's column says n/v everywhere and only
# bpfvm's verdicts are printed. Exit status: 0, or 1 when bpfvm accepts an
# unsafe program the kernel refuses, or refuses one the kernel accepts.
set -eu

here=$(cd "$(dirname "$0")/../.." && pwd)
bench=${BENCH_VERIFY:-$here/build/bench/bench_verify}
rounds=1
if [ "${1:-}" = "--rounds" ]; then
	rounds=$2
	shift 2
fi
if [ $# -eq 0 ]; then
	sed -n '2,20s/^# \{0,1\}//p' "$0"
	exit 2
fi
if [ ! -x "$bench" ]; then
	echo "compare.sh: no $bench (cmake --build build --target bench_verify)" >&2
	exit 2
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$bench" --rounds "$rounds" "$@" > "$out" 2>&1 || true
cat "$out"

# A row: object/program type insns kernel bpfvm k.proc v.proc k.verify
# k.load v.verify ratio (bench_verify's table; names may be cut short, the
# object's name comes first and is kept).
awk '
function unsafe(name) { return name ~ /^unsafe_/ || name ~ /\/unsafe_/ }
$3 ~ /^[0-9]+$/ && ($4 == "ok" || $4 == "n/v" || $4 ~ /^E[A-Z0-9]+$/) {
	name = $1; k = $4; v = $5
	total++
	if (unsafe(name)) {
		u++
		if (k == "ok") uk++
		else if (k == "n/v") { unv++; if (v == "ok") unv_ok++ }
		else if (v == "ok") { u_bad++; bad[++nbad] = name " (unsafe, kernel " k ")" }
		else u_both++
		next
	}
	if (k == "ok") {
		ka++
		if (v == "ok") {
			both++
			if ($11 ~ /^[0-9.]+$/) ratio[++nr] = $11
		} else miss[++nmiss] = name " (bpfvm " v ")"
	} else if (k == "n/v") {
		nv++
		if (v == "ok") nv_ok++
	} else {
		kr++
		if (v == "ok") { kr_ok++; extra[++nextra] = name " (kernel " k ")" }
	}
}
END {
	printf "\n== held-out summary ==\n"
	printf "programs: %d (%d unsafe variants)\n", total, u
	printf "safe, kernel accepts: %d; bpfvm accepts %d of them (%.1f%%)\n", ka, both,
	       ka ? 100.0 * both / ka : 0
	printf "safe, kernel refuses: %d; bpfvm accepts %d of them\n", kr, kr_ok
	printf "safe, kernel did not verify (no attach target, no BPF LSM): %d; bpfvm accepts %d\n",
	       nv, nv_ok
	printf "unsafe: kernel refuses %d, bpfvm accepts %d of them; kernel accepts %d (not unsafe after clang); kernel did not verify %d (bpfvm accepts %d)\n",
	       u_both + u_bad, u_bad, uk, unv, unv_ok
	if (nr) {
		# insertion sort: a few hundred ratios
		for (i = 2; i <= nr; i++) {
			x = ratio[i] + 0
			for (j = i - 1; j >= 1 && ratio[j] + 0 > x; j--) ratio[j + 1] = ratio[j]
			ratio[j + 1] = x
		}
		lo = int(nr * 0.1) + 1
		hi = int(nr * 0.9)
		if (hi < 1) hi = 1
		printf "bpfvm verify / kernel verify over %d programs both accept: median %.2f, 10%% %.2f, 90%% %.2f\n",
		       nr, ratio[int((nr + 1) / 2)], ratio[lo], ratio[hi]
	}
	for (i = 1; i <= nmiss; i++) print "kernel accepts, bpfvm refuses: " miss[i]
	for (i = 1; i <= nextra; i++) print "kernel refuses, bpfvm accepts: " extra[i]
	for (i = 1; i <= nbad; i++) print "UNSAFE ACCEPTED BY BPFVM: " bad[i]
	exit (nbad || nmiss) ? 1 : 0
}' "$out"
