/* A frame's stack depth as the kernel counts it: the deepest byte an
 * access touches, not where a pointer into the frame was made. Found by the
 * kernel's verifier selftests (verifier_stack_ptr "PTR_TO_STACK check low
 * 2": r10 - 513 used at +1; bpfvm charged 528 bytes and refused). Each case
 * is also loaded into the running kernel when bpf() is usable. */
#include "../testlib.h"
#include "verdict_kernel.h"

#define SOCKET .type = BPF_PROG_TYPE_SOCKET_FILTER

static const struct verdict_case cases[] = {
	{ "pointer_below_the_stack_used_inside_it", SOCKET,
	  .text = "r1 = r10\nr1 += -513\nr0 = 42\n*(u8 *)(r1 +1) = r0\nr0 = *(u8 *)(r1 +1)\n"
		  "exit\n" },
	{ "pointer_below_the_stack_used_there", SOCKET,
	  .text = "r1 = r10\nr1 += -513\nr0 = 42\n*(u8 *)(r1 +0) = r0\nr0 = 0\nexit\n",
	  .reason = "invalid write to stack R1 off=-513 size=1" },
	/* The callee never touches its argument: the caller's frame is empty. */
	{ "pointer_handed_to_a_callee_that_ignores_it", SOCKET,
	  .text = "r1 = r10\nr1 += -256\ncall f\nr0 = 0\nexit\n"
		  "f:\n*(u64 *)(r10 -304) = 0\nr0 = 0\nexit\n" },
	{ "pointer_handed_to_a_callee_that_writes_through_it", SOCKET,
	  .text = "r1 = r10\nr1 += -256\ncall f\nr0 = 0\nexit\n"
		  "f:\n*(u64 *)(r1 +0) = 0\n*(u64 *)(r10 -304) = 0\nr0 = 0\nexit\n",
	  .reason = "combined stack size of 2 calls is 560. Too large" },
	/* A helper's memory argument: bpf_skb_load_bytes writes 16 bytes at r3. */
	{ "helper_writes_below_the_stack", SOCKET,
	  .text = "r3 = r10\nr3 += -520\nr2 = 0\nr4 = 16\ncall 26\nr0 = 0\nexit\n",
	  .reason = "invalid write to stack R3 off=-520 size=16" },
	{ "helper_writes_the_bottom_of_the_stack", SOCKET,
	  .text = "r3 = r10\nr3 += -512\nr2 = 0\nr4 = 16\ncall 26\nr0 = 0\nexit\n" },
};

int main(void)
{
	struct bpfvm *vm = testlib_vm_create();

	verdict_run_cases(vm, cases, sizeof(cases) / sizeof(cases[0]));
	bpfvm_destroy(vm);
	return testlib_summary();
}
