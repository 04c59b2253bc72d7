/* A kfunc's scalar arguments take numbers, never pointers, as the kernel's
 * check_kfunc_args ("R2 is not a scalar"). The kernel's words come from its
 * own kfunc bpf_rdonly_cast(void *obj__ign, u32 btf_id__k): a runtime
 * function of the same shape is registered under its BTF id, so that the
 * same instructions go to both verifiers (its __ign and __k halves are
 * the kernel's own, compared only where both say the same). */
#include <stdio.h>

#include "../testlib.h"
#include "progtypes/btf_ctx.h"
#include "verdict_kernel.h"

static uint64_t two_numbers(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return r1 + r2;
}

int main(void)
{
	struct bpfvm *vm = testlib_vm_create();
	uint32_t id = btf_ctx_find("bpf_rdonly_cast", BTF_KIND_FUNC);
	struct bpfvm_kfunc kfunc = { .sz = sizeof(kfunc), .name = "two_numbers", .id = id ? id : 1,
				     .fn = two_numbers,
				     .args = { BPFVM_KFUNC_ARG_SCALAR, BPFVM_KFUNC_ARG_SCALAR } };
	char text[4][160];
	struct verdict_case cases[4] = {
		{ "stack_pointer_as_a_scalar", .text = text[0], .reason = "R2 is not a scalar" },
		{ "context_as_a_scalar", .text = text[1], .reason = "R2 is not a scalar" },
		/* The kernel ignores obj__ign; bpfvm's first argument is a number. */
		{ "pointer_as_the_first_scalar", .text = text[2], .reason = "R1 is not a scalar",
		  .kernel_skip = "bpf_rdonly_cast's first argument is __ign" },
		/* The kernel then wants a BTF id for its result. */
		{ "numbers_accepted", .text = text[3],
		  .kernel_skip = "bpf_rdonly_cast's second argument is a BTF id" },
	};

	if (bpfvm_kfunc_register(vm, &kfunc)) {
		fprintf(stderr, "register: %s\n", bpfvm_errmsg());
		return 1;
	}
	if (!id) /* no kernel BTF: bpfvm alone, under id 1 */
		for (int i = 0; i < 4; i++)
			cases[i].kernel_skip = "no bpf_rdonly_cast in the kernel's BTF";
	snprintf(text[0], sizeof(text[0]), "r1 = 0\nr2 = r10\nr2 += -8\n"
		 "call kernel-function#%u\nr0 = 0\nexit\n", kfunc.id);
	snprintf(text[1], sizeof(text[1]), "r2 = r1\nr1 = 0\ncall kernel-function#%u\nr0 = 0\n"
		 "exit\n", kfunc.id);
	snprintf(text[2], sizeof(text[2]), "r1 = r10\nr2 = 1\ncall kernel-function#%u\nr0 = 0\n"
		 "exit\n", kfunc.id);
	snprintf(text[3], sizeof(text[3]), "r1 = 7\nr2 = 1\ncall kernel-function#%u\nr0 = 0\n"
		 "exit\n", kfunc.id);
	verdict_run_cases(vm, cases, 4);
	bpfvm_destroy(vm);
	return testlib_summary();
}
