/* bpf_copy_from_user and bpf_copy_from_user_task (kernel/bpf/helpers.c):
 * reads of user memory that may sleep on a page fault, for sleepable
 * programs only (the prototypes' might_sleep: "helper call might sleep in
 * a non-sleepable prog": helper_might_sleep), in every program type's
 * set (Linux 6.18's bpf_base_func_proto, checked with bpf() by the helper
 * sets test).
 *
 *   bpf_copy_from_user(dst, size, user_ptr)   0; -EFAULT with dst zeroed
 *   bpf_copy_from_user_task(dst, size, user_ptr, task, flags)
 *                                             the same from task's memory;
 *                                             flags other than 0: -EINVAL
 *
 * In user space every task bpfvm hands out (bpf_get_current_task) is a
 * thread of this process: its memory is the process's own, read without
 * faulting (helpers/nofault.h). */
#include <errno.h>
#include <string.h>

#include "helpers/helper_proto.h"
#include "helpers/helper_run.h"
#include "helpers/nofault.h"

static uint64_t copy_user(uint64_t dst, uint64_t size, uint64_t src)
{
	if (helper_read_nofault((void *)(uintptr_t)dst, src, (uint32_t)size))
		return 0;
	memset((void *)(uintptr_t)dst, 0, (uint32_t)size);
	return helper_errno(-EFAULT);
}

static uint64_t helper_copy_from_user(uint64_t dst, uint64_t size, uint64_t src, uint64_t r4,
				      uint64_t r5)
{
	return copy_user(dst, size, src);
}

static uint64_t helper_copy_from_user_task(uint64_t dst, uint64_t size, uint64_t src,
					   uint64_t task, uint64_t flags)
{
	if (flags)
		return helper_errno(-EINVAL);
	if (!(uint32_t)size)
		return 0;
	return copy_user(dst, size, src);
}

bool helper_might_sleep(uint32_t id)
{
	return id == BPF_FUNC_copy_from_user || id == BPF_FUNC_copy_from_user_task;
}

const struct helper_proto helper_protos_user_copy[] = {
	{ .id = BPF_FUNC_copy_from_user, .name = "bpf_copy_from_user", .fn = helper_copy_from_user,
	  .args = { ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING },
	  .families = HELPER_FAMILY_ANY },
	{ .id = BPF_FUNC_copy_from_user_task, .name = "bpf_copy_from_user_task",
	  .fn = helper_copy_from_user_task,
	  .args = { ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, ARG_PTR_TO_BTF_ID,
		    ARG_ANYTHING },
	  .families = HELPER_FAMILY_ANY, .gpl_only = true },
	{ 0 },
};
