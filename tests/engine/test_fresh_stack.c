/* Every run starts on a cleared stack, as deep as any program of the
 * runtime reaches (engine/run.c): a privileged program may read stack it
 * never wrote (the verifier allows it, as the kernel's
 * allow_uninit_stack), and it must read zeros, not what an earlier run
 * left there. Under both engines.
 *
 * Usage: test_fresh_stack */
#include <stdint.h>

#include "testlib.h"

#define STX_DW(o, s) { .code = BPF_STX | BPF_MEM | BPF_DW, .dst_reg = 10, .src_reg = (s), .off = (o) }
#define LDX_DW(d, o) { .code = BPF_LDX | BPF_MEM | BPF_DW, .dst_reg = (d), .src_reg = 10, .off = (o) }
#define MOV_K(d, k) { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = (d), .imm = (k) }
#define OR_X(d, s) { .code = BPF_ALU64 | BPF_OR | BPF_X, .dst_reg = (d), .src_reg = (s) }
#define EXIT { .code = BPF_JMP | BPF_EXIT }

/* Writes non-zero values at the top and the bottom of its 512 bytes. */
static const struct bpf_insn writer[] = {
	MOV_K(1, 0x5a5a), STX_DW(-8, 1), STX_DW(-512, 1), MOV_K(0, 0), EXIT,
};

/* Returns the OR of the same two slots, which it never wrote. */
static const struct bpf_insn reader[] = {
	LDX_DW(0, -8), LDX_DW(1, -512), OR_X(0, 1), EXIT,
};

static uint64_t load_and_run(struct bpfvm *vm, const struct bpf_insn *insns, size_t cnt)
{
	struct bpfvm_prog *prog = NULL;
	uint64_t r0 = UINT64_MAX;

	if (bpfvm_prog_load_raw(vm, insns, cnt, NULL, &prog) ||
	    bpfvm_prog_run_raw(prog, NULL, 0, &r0))
		testlib_check("fresh_stack", 0, "load or run failed: %s", bpfvm_errmsg());
	bpfvm_prog_free(prog);
	return r0;
}

static void unwritten_stack_reads_zero(enum bpfvm_engine engine, const char *test)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .engine = engine };
	struct bpfvm *vm = NULL;

	if (bpfvm_create(&opts, &vm)) {
		testlib_check(test, engine != BPFVM_ENGINE_JIT, "no runtime: %s", bpfvm_errmsg());
		return;
	}
	load_and_run(vm, writer, sizeof(writer) / sizeof(writer[0]));
	testlib_check(test, load_and_run(vm, reader, sizeof(reader) / sizeof(reader[0])) == 0,
		      "a run reads zeros where an earlier run of another program wrote");
	bpfvm_destroy(vm);
}

int main(void)
{
	unwritten_stack_reads_zero(BPFVM_ENGINE_INTERP, "unwritten_stack_reads_zero_interpreter");
	unwritten_stack_reads_zero(BPFVM_ENGINE_JIT, "unwritten_stack_reads_zero_jit");
	return testlib_summary();
}
