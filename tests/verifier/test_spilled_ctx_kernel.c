/* The context spilled to the stack and filled back: still the context
 * unless the slot was overwritten (by another pointer, or by an atomic
 * that turns it into data), as the kernel's spill tracking. The kernel's
 * verifier selftests check this with bpf_get_hash_recalc (verifier_unpriv
 * "spill/fill of ctx"), which bpfvm does not provide; here with
 * bpf_skb_load_bytes, whose first argument is the context too. Each case
 * is also loaded into the running kernel when bpf() is usable. */
#include "../testlib.h"
#include "verdict_kernel.h"

/* r6 = r10 - 8, the context spilled there */
#define SPILL "r6 = r10\nr6 += -8\n*(u64 *)(r6 +0) = r1\n"
/* bpf_skb_load_bytes(r1, 0, r10 - 16, 4) */
#define LOAD_BYTES "r2 = 0\nr3 = r10\nr3 += -16\nr4 = 4\ncall 26\nr0 = 0\nexit\n"

static const struct verdict_case cases[] = {
	{ "context_filled_back",
	  .text = SPILL "r1 = *(u64 *)(r6 +0)\n" LOAD_BYTES },
	{ "slot_overwritten_by_the_frame_pointer",
	  .text = SPILL "*(u64 *)(r6 +0) = r10\nr1 = *(u64 *)(r6 +0)\n" LOAD_BYTES,
	  .reason = "R1 type=fp expected=ctx" },
	{ "slot_changed_by_an_atomic_add",
	  .text = SPILL "r0 = 1\nlock *(u64 *)(r10 -8) += r0\nr1 = *(u64 *)(r6 +0)\n" LOAD_BYTES,
	  .reason = "R1 type=scalar expected=ctx" },
};

int main(void)
{
	struct bpfvm *vm = testlib_vm_create();

	verdict_run_cases(vm, cases, sizeof(cases) / sizeof(cases[0]));
	bpfvm_destroy(vm);
	return testlib_summary();
}
