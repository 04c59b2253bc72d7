/* Integer results bounded as the kernel bounds them: bpf_get_stack (and
 * the helpers that copy at most `size` bytes) returns a value in
 * [-MAX_ERRNO, size] (do_refine_retval_range), and a <<32 keeps each s32
 * bound that is non-negative (__scalar64_min_max_lsh), so that clang's
 * sign extension <<32 s>>32 of such a result stays bounded. Found by the
 * kernel's verifier selftests (verifier_bpf_get_stack,
 * stack_return_r0_within_range), which Linux accepts and bpfvm refused.
 * Each case is also loaded into the running kernel when bpf() is usable. */
#include "../testlib.h"
#include "verdict_kernel.h"

/* A 48-byte value of a hash map with 8-byte keys. */
#define VALUE48 VERDICT_MAP(BPF_MAP_TYPE_HASH, 8, 48, 1)

/* r7 = the value (NULL-checked), r6 = the context, then r0 =
 * bpf_get_stack(ctx, r7, SIZE, 256) and r8 = r0 sign-extended from 32 bits,
 * not negative */
#define STACK_INTO_VALUE(size)                                                                 \
	"r6 = r1\nr1 = 0\n*(u64 *)(r10 -8) = r1\nr2 = r10\nr2 += -8\nr1 = map[idx:0]\n"        \
	"call 1\nif r0 == 0 goto out\nr7 = r0\nr1 = r6\nr2 = r7\nr3 = " size "\nr4 = 256\n"    \
	"call 67\nr8 = r0\nr8 <<= 32\nr8 s>>= 32\nif r8 s< 0 goto out\n"

static const struct verdict_case cases[] = {
	{ "get_stack_result_indexes_the_rest_of_the_value", BPF_PROG_TYPE_TRACEPOINT,
	  .maps = { VALUE48 },
	  .text = STACK_INTO_VALUE("24") "r7 += r8\n*(u8 *)(r7 +23) = 0\nout:\nr0 = 0\nexit\n" },
	{ "get_stack_result_may_be_the_whole_size", BPF_PROG_TYPE_TRACEPOINT,
	  .maps = { VALUE48 },
	  .text = STACK_INTO_VALUE("32") "r7 += r8\n*(u8 *)(r7 +23) = 0\nout:\nr0 = 0\nexit\n",
	  .reason = "R7 max value is outside of the allowed memory range" },
	{ "sign_extension_keeps_a_non_negative_s32_max", BPF_PROG_TYPE_SOCKET_FILTER,
	  .text = "call 7\nif w0 s< -5 goto out\nif w0 s> 10 goto out\nr1 = r0\nr1 <<= 32\n"
		  "r1 s>>= 32\nif r1 s<= 10 goto out\nr0 = *(u64 *)(r0 +0)\nout:\nr0 = 0\nexit\n" },
	{ "sign_extension_of_an_unbounded_s32_decides_nothing", BPF_PROG_TYPE_SOCKET_FILTER,
	  .text = "call 7\nif w0 s< -5 goto out\nr1 = r0\nr1 <<= 32\n"
		  "r1 s>>= 32\nif r1 s<= 10 goto out\nr0 = *(u64 *)(r0 +0)\nout:\nr0 = 0\nexit\n",
	  .reason = "R0 invalid mem access 'scalar'" },
};

int main(void)
{
	struct bpfvm *vm = testlib_vm_create();

	verdict_run_cases(vm, cases, sizeof(cases) / sizeof(cases[0]));
	bpfvm_destroy(vm);
	return testlib_summary();
}
