/* A tail call invalidates packet pointers, as Linux 6.18's: from a
 * subprogram, the program tail-called returns to the subprogram's caller
 * and may have moved the packet (bpf_skb_pull_data), so a range checked
 * before the call is not trusted after. Found by the kernel's verifier
 * selftests (verifier_sock "invalidate_pkt_pointers_by_tail_call": bpfvm
 * accepted the store). Each case is also loaded into the running kernel
 * when bpf() is usable. */
#include "../testlib.h"
#include "verdict_kernel.h"

#define PROG_ARRAY VERDICT_MAP(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 1)

/* r6 = ctx, r7 = data with 4 bytes checked (else exit) */
#define CHECKED                                                                                \
	"r6 = r1\nr2 = *(u32 *)(r6 +76)\nr3 = *(u32 *)(r6 +80)\nr7 = r2\nr2 += 4\n"            \
	"if r2 > r3 goto out\n"
#define TAIL_CALL "r2 = map[idx:0]\nr3 = 0\ncall 12\n"
#define OUT "out:\nr0 = 0\nexit\n"

static const struct verdict_case cases[] = {
	/* Linux 6.18 refuses it (checked with clang's output, which has BTF). */
	{ "store_after_a_subprogram_that_tail_calls", .maps = { PROG_ARRAY },
	  .text = CHECKED "r1 = r6\ncall f\n*(u32 *)(r7 +0) = 42\n" OUT
		  "f:\n" TAIL_CALL "r0 = 0\nexit\n",
	  .reason = "R7 invalid mem access 'scalar'",
	  .kernel_skip = "a tail call in a subprogram needs BTF func_info" },
	{ "store_after_a_failed_tail_call", .maps = { PROG_ARRAY },
	  .text = CHECKED "r1 = r6\n" TAIL_CALL "*(u32 *)(r7 +0) = 42\n" OUT },
	{ "store_after_a_subprogram_without_tail_call", .maps = { PROG_ARRAY },
	  .text = CHECKED "r1 = r6\ncall f\n*(u32 *)(r7 +0) = 42\n" OUT
		  "f:\nr0 = 0\nexit\n" },
	{ "packet_checked_again_after_the_tail_call", .maps = { PROG_ARRAY },
	  .text = "r6 = r1\n" TAIL_CALL "r1 = r6\n" CHECKED "*(u32 *)(r7 +0) = 42\n" OUT },
};

int main(void)
{
	struct bpfvm *vm = testlib_vm_create();

	verdict_run_cases(vm, cases, sizeof(cases) / sizeof(cases[0]));
	bpfvm_destroy(vm);
	return testlib_summary();
}
