# The two commands of the README, and a few more.
#   make demo    install what is missing (as root), build, run the demo
#   make test    build and run the whole suite: gcc, then clang with ASan+UBSan,
#                then the concurrency tests under ThreadSanitizer
#   make bench   build in release mode and print the benchmark tables (the last:
#                interpreter, JIT and kernel over bench/progs, docs/bench.md)
#   make fuzz-verifier [SECONDS=300] [SEED=1]
#                the verifier's soundness fuzzer, longer than in the suite
#                (tests/verifier/fuzz.h); reproducers in $(BUILD)/fuzz-verifier
#   make fuzz-engines [SECONDS=300] [SEED=1]
#                the differential fuzzer, interpreter against JIT, longer than
#                in the suite (tests/engine/fuzz_engines.h); reproducers in
#                $(BUILD)/fuzz-engines
#   make fuzz-inputs [SECONDS=300]
#                each libFuzzer harness of tests/fuzz (object loader, verifier,
#                assembler, disassembler) for SECONDS, in a clang ASan+UBSan
#                build ($(FUZZ_BUILD)); corpora and crashes in
#                $(FUZZ_BUILD)/fuzz-inputs/NAME
#   make reliability [VERIFIER_SECONDS=300] [ENGINES_SECONDS=300] [INPUTS_SECONDS=300]
#                the three above, and one table of what they tried and found,
#                also in $(BUILD)/reliability.txt (docs/reliability.md)
#   make fuzz-kernel [N=10000] [SEED=1] [C_SHARE=2] [C_MAX=2000] [J=nproc]
#                generated programs compared with the running kernel (root,
#                bpf()): verdicts, r0, packets, contexts, every map
#                (tests/kdiff, docs/kdiff.md), in J worker processes, one
#                per CPU; at most C_MAX of them C (clang takes ~1 s each);
#                minimised reproducers in $(BUILD)/fuzz-kernel
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
SAN_BUILD ?= build-sanitize
BENCH_BUILD ?= build-release
TSAN_BUILD ?= build-tsan
FUZZ_BUILD ?= build-fuzz

.PHONY: all deps build demo test test-gcc test-sanitize test-tsan bench install clean
.PHONY: fuzz-verifier fuzz-engines fuzz-inputs fuzz-kernel reliability

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_C_COMPILER=gcc >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@echo "== bpfvm asm run examples/asm/sum.s  (sum of 1..100)"
	@$(BUILD)/tools/bpfvm asm run examples/asm/sum.s
	@echo "== bpfvm asm run examples/asm/checksum.s data_in examples/asm/packet.bin"
	@$(BUILD)/tools/bpfvm asm run examples/asm/checksum.s data_in examples/asm/packet.bin
	@echo "== examples/egress_chain: cgroup_skb egress1 -> egress2 -> egress3, passing values in a per-CPU slot"
	@$(BUILD)/examples/egress_chain
	@echo "== examples/syscall_dispatch: a raw_tracepoint/sys_enter program tail-calling one program per syscall"
	@$(BUILD)/examples/syscall_dispatch
	@echo "== examples/xdp_jump_table: prog_drop put into jmp_table[0] and deleted, one packet at a time, then live"
	@$(BUILD)/examples/xdp_jump_table
	@echo "== examples/packet_parser: a sockex3-style parser, one tail-called program per protocol header"
	@$(BUILD)/examples/packet_parser

test-gcc: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-sanitize: deps
	cmake -S . -B $(SAN_BUILD) -DCMAKE_C_COMPILER=clang -DBPFVM_SANITIZE=ON \
		-DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build $(SAN_BUILD) -j $(JOBS)
	ctest --test-dir $(SAN_BUILD) --output-on-failure -j $(JOBS)

# Only the library and the tests labelled "concurrency" (threads running
# programs while others change what they use), under ThreadSanitizer.
test-tsan: deps
	cmake -S . -B $(TSAN_BUILD) -DCMAKE_C_COMPILER=clang -DBPFVM_TSAN=ON \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(TSAN_BUILD) -j $(JOBS) --target bpfvm_concurrency_tests
	TSAN_OPTIONS=halt_on_error=1 ctest --test-dir $(TSAN_BUILD) --output-on-failure \
		-j $(JOBS) -L concurrency

test: test-gcc test-sanitize test-tsan

# Every BPF object of the build, the asm examples (raw mode: its buffer is not
# bounded by the verifier, so their mutants trap by design today) and
# generated programs; the kernel's verdict on each trap when bpf() works.
SECONDS ?= 300
SEED ?= 1
fuzz-verifier: build
	@mkdir -p $(BUILD)/fuzz-verifier
	$(BUILD)/tests/verifier/fuzz_verifier --seconds $(SECONDS) --seed $(SEED) --kernel \
		--objects-under $(BUILD) --asm examples/asm --out $(BUILD)/fuzz-verifier

# The same seeds and generated programs, under both engines on the same inputs.
fuzz-engines: build
	@mkdir -p $(BUILD)/fuzz-engines
	$(BUILD)/tests/engine/fuzz_engines --seconds $(SECONDS) --seed $(SEED) \
		--objects-under $(BUILD) --asm examples/asm --out $(BUILD)/fuzz-engines

bench: deps
	cmake -S . -B $(BENCH_BUILD) -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build $(BENCH_BUILD) -j $(JOBS)
	$(BENCH_BUILD)/bench/bench_interp
	BPFVM_ENGINE=interp $(BENCH_BUILD)/bench/bench_tailcall $(BENCH_BUILD)/bench
	BPFVM_ENGINE=jit $(BENCH_BUILD)/bench/bench_tailcall $(BENCH_BUILD)/bench
	$(BENCH_BUILD)/bench/bench_verify
	$(BENCH_BUILD)/bench/bench_progs

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(BENCH_BUILD) $(TSAN_BUILD)

# The harnesses are built with clang, ASan and UBSan (optimised: more inputs
# a second); their seeds are the objects of the gcc build.
fuzz-inputs: build
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DBPFVM_SANITIZE=ON \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target bpfvm_fuzz_inputs >/dev/null
	tests/fuzz/fuzz_inputs.sh $(FUZZ_BUILD) $(BUILD) $(SECONDS)

VERIFIER_SECONDS ?= 300
ENGINES_SECONDS ?= 300
INPUTS_SECONDS ?= 300
KERNEL_PROGRAMS ?= 10000
STRESS_ROUNDS ?= 3
reliability: build
	VERIFIER_SECONDS=$(VERIFIER_SECONDS) ENGINES_SECONDS=$(ENGINES_SECONDS) \
		INPUTS_SECONDS=$(INPUTS_SECONDS) KERNEL_PROGRAMS=$(KERNEL_PROGRAMS) \
		STRESS_ROUNDS=$(STRESS_ROUNDS) SEED=$(SEED) MAKE="$(MAKE)" \
		scripts/reliability.sh $(BUILD) $(FUZZ_BUILD)
# Programs of both generators (and C_SHARE percent as C, compiled by clang)
# in the kernel and in both engines; a summary of what was tried and found.
N ?= 10000
C_SHARE ?= 2
C_MAX ?= 2000
J ?= $(JOBS)
fuzz-kernel: build
	@mkdir -p $(BUILD)/fuzz-kernel
	$(BUILD)/tests/kdiff/kdiff --programs $(N) --seed $(SEED) --c-share $(C_SHARE) \
		--c-max $(C_MAX) --jobs $(J) --out $(BUILD)/fuzz-kernel
