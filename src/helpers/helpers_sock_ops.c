/* Helpers of sock_ops programs only (sock_ops_func_proto). sock_ops has no
 * event source in bpfvm (docs/differences.md): these are here so that
 * programs verify as in the kernel; run, they act on no socket. */
#include <errno.h>
#include <linux/bpf.h>

#include "helpers/helper_proto.h"

/* The kernel returns -EINVAL when the context's socket is not a full TCP
 * socket; bpfvm's has none. */
static uint64_t helper_sock_ops_cb_flags_set(uint64_t ctx, uint64_t flags, uint64_t r3,
					     uint64_t r4, uint64_t r5)
{
	return (uint64_t)-EINVAL;
}

/* Listed by progtype_sock_ops (helpers_added), no family. */
const struct helper_proto helper_protos_sock_ops[] = {
	{ .id = BPF_FUNC_sock_ops_cb_flags_set, .name = "bpf_sock_ops_cb_flags_set",
	  .fn = helper_sock_ops_cb_flags_set, .args = { ARG_PTR_TO_CTX, ARG_ANYTHING } },
	{ 0 },
};
