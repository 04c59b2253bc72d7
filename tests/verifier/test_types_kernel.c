/* The type tracking's verdicts against the running kernel's verifier: some
 * programs are accepted by both; each of the others is refused by both, for the same reason in the same words (the
 * kernel's log line before "processed N insns"; bpfvm's message after
 * "<prog>: insn <n>: ", which may add detail after the kernel's words). The program type is sched_cls, the context
 * __sk_buff. Exits 77 (skipped) when bpf() is not usable. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

#include "../testlib.h"
#include "engine/prog.h"
#include "progtypes/progtype.h"
#include "verifier/structure.h"
#include "verifier/types.h"

#define SKIP_RETURN_CODE 77

static char kernel_log[1 << 16];

/* The kernel's reason, or NULL if it accepted the program. */
static const char *kernel_reason(const struct bpf_insn *insns, size_t cnt, char *buf,
				 size_t size)
{
	int fd = testlib_kernel_load(BPF_PROG_TYPE_SCHED_CLS, 0, insns, cnt, kernel_log,
				     sizeof(kernel_log));

	if (fd >= 0) {
		close(fd);
		return NULL;
	}
	testlib_kernel_reason(kernel_log, buf, size);
	return buf;
}

/* bpfvm's reason without "<prog>: insn <n>: ", or NULL if it accepted. */
static const char *bpfvm_reason(struct bpfvm *vm, const struct bpf_insn *insns, size_t cnt,
				char *buf, size_t size)
{
	struct bpfvm_prog *prog = prog_alloc(vm, "p", "", insns, cnt);
	const char *msg, *reason;
	int err;

	if (!prog)
		exit(2);
	prog->progtype = progtype_for(BPF_PROG_TYPE_SCHED_CLS);
	err = verifier_check_structure(prog);
	if (!err)
		err = verifier_track_types(prog);
	prog_destroy(prog);
	if (!err)
		return NULL;
	msg = bpfvm_errmsg();
	reason = strstr(msg, ": insn ");
	reason = reason ? strstr(reason + 7, ": ") : NULL;
	snprintf(buf, size, "%s", reason ? reason + 2 : msg);
	return buf;
}

static const struct {
	const char *name;
	const char *text;
} cases[] = {
	{ "ctx_and_stack_pointer_at_one_insn",
	  "r2 = r10\nr2 += -16\n*(u64 *)(r10 -8) = 0\nif r1 == 0x0 goto pc+1\nr2 = r1\n"
	  "r0 = *(u32 *)(r2 +8)\nexit\n" },
	{ "variable_ctx_offset",
	  "r2 = *(u32 *)(r1 +0)\nr1 += r2\nr0 = *(u32 *)(r1 +0)\nexit\n" },
	{ "modified_ctx_pointer", "r1 += 4\nr0 = *(u32 *)(r1 +0)\nexit\n" },
	{ "modified_ctx_pointer_through_a_register",
	  "r2 = 4\nr1 += r2\nr0 = *(u32 *)(r1 +0)\nexit\n" },
	{ "ctx_access_past_the_end", "r0 = *(u32 *)(r1 +200)\nexit\n" },
	{ "write_to_read_only_len", "r0 = 0\n*(u32 *)(r1 +0) = r0\nexit\n" },
	{ "atomic_on_ctx", "r0 = 0\nlock *(u32 *)(r1 +8) += r0\nexit\n" },
	{ "partial_spill_of_ctx", "*(u32 *)(r10 -8) = r1\nr0 = 0\nexit\n" },
	{ "partial_fill_of_ctx", "*(u64 *)(r10 -8) = r1\nr0 = *(u32 *)(r10 -8)\nexit\n" },
	{ "multiplied_ctx", "r1 *= 2\nr0 = 0\nexit\n" },
	{ "ored_ctx", "r1 |= 2\nr0 = 0\nexit\n" },
	{ "ctx_plus_stack_pointer", "r2 = r10\nr2 += r1\nr0 = 0\nexit\n" },
	{ "scalar_minus_ctx", "r2 = 4\nr2 -= r1\nr0 = 0\nexit\n" },
	{ "stack_pointer_minus_constant", "r2 = r10\nr2 -= 8\nr0 = 0\nexit\n" },
	{ "ctx_in_32_bit_arithmetic", "w1 += 4\nr0 = 0\nexit\n" },
	{ "uninitialised_register", "r0 = r5\nexit\n" },
	{ "argument_register_after_a_call", "call 7\nr0 = *(u32 *)(r1 +0)\nexit\n" },
	{ "ctx_in_a_subprogram_after_a_call",
	  "call pc+2\nr0 = *(u32 *)(r1 +0)\nexit\nr0 = 0\nexit\n" },
};

/* Programs both must accept. */
static const struct {
	const char *name;
	const char *text;
} accepted[] = {
	{ "ctx_spilled_and_filled",
	  "*(u64 *)(r10 -8) = r1\nr1 = 0\nr2 = *(u64 *)(r10 -8)\nr0 = *(u32 *)(r2 +0)\nexit\n" },
	{ "ctx_spilled_through_a_stack_pointer",
	  "r2 = r10\nr2 += -16\n*(u64 *)(r2 +0) = r1\nr3 = *(u64 *)(r10 -16)\n"
	  "r0 = *(u32 *)(r3 +4)\nexit\n" },
	{ "ctx_offset_back_to_zero", "r1 += 8\nr2 = 8\nr1 -= r2\nr0 = *(u32 *)(r1 +0)\nexit\n" },
	{ "ctx_into_a_subprogram_and_kept_in_r6",
	  "r6 = r1\ncall pc+2\nr0 = *(u32 *)(r6 +4)\nexit\nr0 = *(u32 *)(r1 +0)\nexit\n" },
	{ "ctx_on_both_arms",
	  "r2 = *(u32 *)(r1 +0)\nif r2 > 5 goto pc+2\nr3 = r1\ngoto pc+1\nr3 = r1\n"
	  "r0 = *(u32 *)(r3 +8)\nexit\n" },
	{ "ctx_write_of_mark", "r0 = 0\n*(u32 *)(r1 +8) = r0\n*(u32 *)(r1 +8) = 1\nexit\n" },
	{ "ctx_in_a_bounded_loop",
	  "r6 = r1\nr7 = 0\nr0 = *(u32 *)(r6 +0)\nr7 += 1\nif r7 < 50 goto pc-3\nexit\n" },
};

int main(void)
{
	struct bpfvm *vm = testlib_vm_create();
	char kbuf[512], vbuf[1024];
	struct bpf_insn probe[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	if (kernel_reason(probe, 2, kbuf, sizeof(kbuf))) {
		printf("SKIP: kernel bpf() not usable: %s\n", strerror(errno));
		bpfvm_destroy(vm);
		return SKIP_RETURN_CODE;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bpf_insn *insns;
		size_t cnt;
		const char *k, *b;

		if (bpfvm_asm_parse(cases[i].text, &insns, &cnt)) {
			testlib_check(cases[i].name, false, "assembler: %s", bpfvm_errmsg());
			continue;
		}
		k = kernel_reason(insns, cnt, kbuf, sizeof(kbuf));
		b = bpfvm_reason(vm, insns, cnt, vbuf, sizeof(vbuf));
		/* bpfvm may say more after the kernel's words ("... (write)"). */
		testlib_check(cases[i].name, k && b && strncmp(k, b, strlen(k)) == 0,
			      "kernel: %s | bpfvm: %s", k ? k : "(accepted)", b ? b : "(accepted)");
		free(insns);
	}
	for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		struct bpf_insn *insns;
		size_t cnt;
		const char *k, *b;

		if (bpfvm_asm_parse(accepted[i].text, &insns, &cnt)) {
			testlib_check(accepted[i].name, false, "assembler: %s", bpfvm_errmsg());
			continue;
		}
		k = kernel_reason(insns, cnt, kbuf, sizeof(kbuf));
		b = bpfvm_reason(vm, insns, cnt, vbuf, sizeof(vbuf));
		testlib_check(accepted[i].name, !k && !b, "kernel: %s | bpfvm: %s",
			      k ? k : "(accepted)", b ? b : "(accepted)");
		free(insns);
	}
	bpfvm_destroy(vm);
	return testlib_summary();
}
