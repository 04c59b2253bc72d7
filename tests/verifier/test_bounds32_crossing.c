/* A 32-bit signed range that crosses 0 and an unsigned range that lies on
 * one side of the sign boundary: the values are in that side's part alone
 * (the kernel's __reg32_deduce_bounds; the 64-bit case was bpfvm's already).
 * Found by the kernel's verifier selftests (verifier_bounds,
 * signed_unsigned_intersection32_case2), which Linux accepts and bpfvm
 * refused. The branch after the narrowing is decided, so the dead scalar
 * dereference is never verified; where the unsigned range reaches both
 * parts it is, and refused. Each case is also loaded into the running
 * kernel when bpf() is usable. */
#include "../testlib.h"
#include "verdict_kernel.h"

#define DEAD_DEREF "r0 = *(u64 *)(r0 +0)\nout:\nr0 = 0\nexit\n"

static const struct verdict_case cases[] = {
	{ "u32_below_the_sign_boundary_keeps_the_non_negative_part",
	  .text = "call 7\nif w0 > 0x80000010 goto out\nif w0 s< -8 goto out\n"
		  "if w0 s> 7 goto out\nif w0 < 8 goto out\n" DEAD_DEREF },
	{ "u32_above_the_sign_boundary_keeps_the_negative_part",
	  .text = "call 7\nif w0 < 0x7ffffff0 goto out\nif w0 s< -4 goto out\n"
		  "if w0 s> 3 goto out\nif w0 >= 0xfffffffc goto out\n" DEAD_DEREF },
	{ "u32_over_both_parts_decides_nothing",
	  .text = "call 7\nif w0 > 0xfffffff9 goto out\nif w0 s< -8 goto out\n"
		  "if w0 s> 7 goto out\nif w0 < 8 goto out\n" DEAD_DEREF,
	  .reason = "R0 invalid mem access 'scalar'" },
};

int main(void)
{
	struct bpfvm *vm = testlib_vm_create();

	verdict_run_cases(vm, cases, sizeof(cases) / sizeof(cases[0]));
	bpfvm_destroy(vm);
	return testlib_summary();
}
