/* A kfunc's constant arguments (the kernel's __k, __szk suffixes) take a
 * number the verifier knows, and its ignored ones (__ign) are not looked
 * at, as the kernel's check_kfunc_args. The kernel's words come from its
 * own kfunc bpf_rdonly_cast(void *obj__ign, u32 btf_id__k): a runtime
 * function of the same shape is registered under its BTF id, so that the
 * same instructions go to both verifiers. A constant size (__szk) has no
 * kernel kfunc of a shape bpfvm's prototypes can say (bpf_dynptr_slice
 * wants a dynptr first): bpfvm's verdict alone, in the kernel's words for
 * __k. */
#include <stdio.h>

#include "../testlib.h"
#include "progtypes/btf_ctx.h"
#include "verdict_kernel.h"

#define NCASES 6

static uint64_t returns_zero(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return 0;
}

/* r2 = the task_struct's BTF id (bpf_rdonly_cast wants a struct). */
static void with_task_id(char *buf, size_t size, const char *before, uint32_t task,
			 uint32_t kfunc)
{
	snprintf(buf, size, "%sr2 = %u\ncall kernel-function#%u\nr0 = 0\nexit\n", before, task,
		 kfunc);
}

int main(void)
{
	struct bpfvm *vm = testlib_vm_create();
	uint32_t id = btf_ctx_find("bpf_rdonly_cast", BTF_KIND_FUNC);
	uint32_t task = btf_ctx_find("task_struct", BTF_KIND_STRUCT);
	struct bpfvm_kfunc cast = { .sz = sizeof(cast), .name = "cast", .id = id ? id : 1,
				    .fn = returns_zero,
				    .args = { BPFVM_KFUNC_ARG_IGNORED, BPFVM_KFUNC_ARG_CONST } };
	struct bpfvm_kfunc fill = { .sz = sizeof(fill), .name = "fill", .id = 2,
				    .fn = returns_zero,
				    .args = { BPFVM_KFUNC_ARG_MEM_UNINIT,
					      BPFVM_KFUNC_ARG_MEM_SIZE_CONST } };
	char text[NCASES][200];
	struct verdict_case cases[NCASES] = {
		{ "ignored_never_set", .text = text[0] },
		{ "ignored_pointer", .text = text[1] },
		{ "constant_unknown", .text = text[2], .reason = "R2 must be a known constant" },
		{ "constant_a_pointer", .text = text[3], .reason = "R2 is not a scalar" },
		{ "constant_size_unknown", .text = text[4], .reason = "R2 must be a known constant",
		  .kernel_skip = "no kernel kfunc of this shape" },
		{ "constant_size_known", .text = text[5],
		  .kernel_skip = "no kernel kfunc of this shape" },
	};

	if (bpfvm_kfunc_register(vm, &cast) || bpfvm_kfunc_register(vm, &fill)) {
		fprintf(stderr, "register: %s\n", bpfvm_errmsg());
		return 1;
	}
	if (!id || !task) /* no kernel BTF: bpfvm alone, under id 1 */
		for (int i = 0; i < 4; i++)
			cases[i].kernel_skip = "no bpf_rdonly_cast in the kernel's BTF";
	with_task_id(text[0], sizeof(text[0]), "", task, cast.id);
	with_task_id(text[1], sizeof(text[1]), "r1 = r10\n", task, cast.id);
	snprintf(text[2], sizeof(text[2]), "call 7\nr2 = r0\nr1 = 0\ncall kernel-function#%u\n"
		 "r0 = 0\nexit\n", cast.id);
	snprintf(text[3], sizeof(text[3]), "r1 = 0\nr2 = r10\ncall kernel-function#%u\nr0 = 0\n"
		 "exit\n", cast.id);
	snprintf(text[4], sizeof(text[4]), "call 7\nr2 = r0\nr2 &= 7\nr1 = r10\nr1 += -8\n"
		 "call kernel-function#%u\nr0 = 0\nexit\n", fill.id);
	snprintf(text[5], sizeof(text[5]), "r2 = 8\nr1 = r10\nr1 += -8\n"
		 "call kernel-function#%u\nr0 = 0\nexit\n", fill.id);
	verdict_run_cases(vm, cases, NCASES);
	bpfvm_destroy(vm);
	return testlib_summary();
}
