#!/bin/sh
# The seed corpora of every harness, in OUT (docs/reliability.md):
#   make_seeds.sh MAKE_SEEDS_BIN SOURCE_DIR BUILD_DIR OUT [suite]
# OUT/object: every BPF object compiled under BUILD_DIR (tests, examples,
# bench/progs); OUT/verifier and OUT/disasm: the programs make_seeds writes
# (those objects' programs, the asm examples and tests/isa, generated ones);
# OUT/asm: the assembler text of the project (examples, tests/isa, the
# verifier's regressions). OUT/NAME-suite: the seeds of the test suite's short
# runs, a share of OUT/NAME that a sanitizer build runs in seconds (the
# objects of tests/bpf, every eighth program, all the text). With `suite`, the
# programs come from the objects of tests/bpf only: loading every object of
# the build takes make_seeds minutes in a Debug sanitizer build.
set -eu
bin=$1 src=$2 build=$3 out=$4
programs_from=$build
[ "${5:-}" = suite ] && programs_from=$build/tests/bpf
rm -rf "$out"
mkdir -p "$out/object" "$out/asm"
"$bin" "$out" --objects-under "$programs_from" --asm "$src/examples/asm" --asm "$src/tests/isa" \
	--generated 64
# Paths flattened into names: objects of the same name in two directories
# are two seeds. The copies of earlier seed corpora are not objects of the build.
find "$build" -name '*.bpf.o' ! -path '*/tests/fuzz/*' ! -path '*/fuzz-inputs/*' | sort |
while read -r f; do
	cp "$f" "$out/object/$(echo "${f#"$build"/}" | tr / _)"
done
for f in "$src"/examples/asm/*.s "$src"/tests/isa/*.s "$src"/tests/verifier/regressions/*.s; do
	[ -f "$f" ] && cp "$f" "$out/asm/$(basename "$(dirname "$f")")_$(basename "$f")"
done
mkdir -p "$out/object-suite" "$out/verifier-suite" "$out/disasm-suite"
cp "$out"/object/tests_bpf_* "$out/object-suite/"
for name in verifier disasm; do
	ls "$out/$name" | awk 'NR % 8 == 1' | while read -r f; do
		cp "$out/$name/$f" "$out/$name-suite/"
	done
done
cp -r "$out/asm" "$out/asm-suite"
# The namespace's files: fuzz_input_ns patches its own templates, so its
# seeds are its regression inputs.
mkdir -p "$out/ns" "$out/ns-suite"
cp "$src"/tests/fuzz/regressions/ns/* "$out/ns/"
cp "$src"/tests/fuzz/regressions/ns/* "$out/ns-suite/"
echo "make_seeds.sh: $(ls "$out/object" | wc -l) objects, $(ls "$out/asm" | wc -l) asm files"
