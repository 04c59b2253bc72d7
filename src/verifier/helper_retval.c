/* The kernel's do_refine_retval_range: the helpers that return a length
 * of what they wrote into memory of a size the program gave (a stack, a
 * string) return at most that size, or a negative errno. Their r0 is
 * bounded so, from the size's largest value (meta->msize_max_value), so
 * that a program may hand the length on as a size, as the kernel lets it
 * (bpf_seq_write of what bpf_get_task_stack wrote).
 *
 * bpfvm's own helpers keep to these bounds: get_stack and get_task_stack
 * return -EFAULT, the string reads a length up to the size or -EFAULT. */
#include <linux/bpf.h>

#include "verifier/helper_call.h"
#include "verifier/scalar.h"

/* The kernel's MAX_ERRNO: the most negative errno a helper returns. */
#define HELPER_MAX_ERRNO 4095

void helper_refine_retval(const struct helper_call *call, struct reg_state *r0)
{
	switch (call->func_id) {
	case BPF_FUNC_get_stack:
	case BPF_FUNC_get_task_stack:
	case BPF_FUNC_probe_read_str:
	case BPF_FUNC_probe_read_kernel_str:
	case BPF_FUNC_probe_read_user_str:
		break;
	default:
		return;
	}
	if (r0->type != REG_SCALAR)
		return;
	r0->smax = (int64_t)call->msize_max;
	r0->s32_max = (int32_t)call->msize_max;
	r0->smin = -HELPER_MAX_ERRNO;
	r0->s32_min = -HELPER_MAX_ERRNO;
	scalar_bounds_sync(r0);
}
