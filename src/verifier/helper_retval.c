/* The integer results that the kernel bounds beyond their prototype (its
 * do_refine_retval_range): the helpers that copy at most `size` bytes into
 * the program's memory return that many or a negative errno, so r0 lies in
 * [-MAX_ERRNO, the size argument's largest value]. Programs index their
 * buffer with that result (the selftests' verifier_bpf_get_stack). */
#include <linux/bpf.h>

#include "helpers/helper_proto.h"
#include "verifier/helper_call.h"
#include "verifier/scalar.h"

#define MAX_ERRNO 4095

void helper_refine_retval(const struct helper_call *call, struct reg_state *r0)
{
	if (call->proto->ret != RET_INTEGER)
		return;
	switch (call->func_id) {
	case BPF_FUNC_get_stack:
	case BPF_FUNC_get_task_stack:
	case BPF_FUNC_probe_read_str:
	case BPF_FUNC_probe_read_kernel_str:
	case BPF_FUNC_probe_read_user_str:
		/* The kernel's truncations: msize_max_value is a u64. */
		r0->smax = (int64_t)call->msize_max;
		r0->s32_max = (int32_t)call->msize_max;
		r0->smin = -MAX_ERRNO;
		r0->s32_min = -MAX_ERRNO;
		scalar_bounds_sync(r0);
		break;
	default:
		break;
	}
}
