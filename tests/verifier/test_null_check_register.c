/* A NULL check through a register known to be zero, as the kernel's
 * check_cond_jmp_op: only `ptr ==/!= 0` with the immediate 0 refines ptr;
 * against a register that holds zero, on either side, Linux 6.18 learns
 * nothing, although the check is as good. bpfvm refined both ways and
 * accepted the kernel's verifier_jeq_infer_not_null
 * `unchanged_for_jne_true_branch`, which Linux refuses; it follows the
 * kernel now. Each case is also loaded into the running kernel when
 * bpf() is usable. */
#include "../testlib.h"
#include "verdict_kernel.h"

#define VALUE8 VERDICT_MAP(BPF_MAP_TYPE_HASH, 8, 8, 1)
/* r0 = a lookup of key 0 (NULL-able), r1 = 0 */
#define LOOKUP                                                                                 \
	"r1 = 0\n*(u64 *)(r10 -8) = r1\nr2 = r10\nr2 += -8\nr1 = map[idx:0]\ncall 1\nr1 = 0\n"
#define READ_AND_EXIT "r2 = *(u64 *)(r0 +0)\nout:\nr0 = 0\nexit\n"
#define OR_NULL "R0 invalid mem access 'map_value_or_null'"

static const struct verdict_case cases[] = {
	{ "pointer_against_zero_immediate", .maps = { VALUE8 },
	  .text = LOOKUP "if r0 == 0 goto out\n" READ_AND_EXIT },
	{ "pointer_against_zero_register", .maps = { VALUE8 },
	  .text = LOOKUP "if r0 == r1 goto out\n" READ_AND_EXIT, .reason = OR_NULL },
	{ "zero_register_against_pointer_jeq", .maps = { VALUE8 },
	  .text = LOOKUP "if r1 == r0 goto out\n" READ_AND_EXIT, .reason = OR_NULL },
	{ "zero_register_against_pointer_jne", .maps = { VALUE8 },
	  .text = LOOKUP "if r1 != r0 goto read\ngoto out\nread:\n" READ_AND_EXIT,
	  .reason = OR_NULL },
};

int main(void)
{
	struct bpfvm *vm = testlib_vm_create();

	verdict_run_cases(vm, cases, sizeof(cases) / sizeof(cases[0]));
	bpfvm_destroy(vm);
	return testlib_summary();
}
