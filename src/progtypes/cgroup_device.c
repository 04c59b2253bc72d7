/* BPF_PROG_TYPE_CGROUP_DEVICE: the context is struct bpf_cgroup_dev_ctx, as
 * the kernel's cgroup_dev_is_valid_access (kernel/bpf/cgroup.c) allows it:
 *
 *   +0 access_type (type in the low 16 bits, access in the high 16)
 *                     u32 read, narrow loads allowed
 *   +4 major, +8 minor   u32 reads, whole
 *
 * No writes. bpfvm has no devices: no runtime context, no test run. */
#include "helpers/helper_proto.h"
#include "progtypes/progtype.h"

#define CGROUP_DEV_CTX_SIZE 12

static int cgroup_dev_ctx_access(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
				 bool is_write, struct ctx_rewrite *rewrite)
{
	bool ok = !is_write && off >= 0 && off + (int32_t)size <= CGROUP_DEV_CTX_SIZE &&
		  off % (int32_t)size == 0;

	if (ok && off < 4)
		ok = progtype_narrow_ok(size, 4);
	else if (ok)
		ok = size == 4;
	if (!ok)
		return progtype_ctx_refuse(prog, off, size, is_write);
	return progtype_ctx_keep(off, size, CTX_FIELD_SCALAR, rewrite);
}

/* cgroup_device_func_proto has no bpf_ktime_get_coarse_ns, unlike the other
 * cgroup types. */
static const uint32_t cgroup_device_refused[] = { BPF_FUNC_ktime_get_coarse_ns,
						  BPF_FUNC_get_netns_cookie, 0 };

/* check_return_code(): 0 (deny) or 1 (allow). */
const struct progtype progtype_cgroup_device = {
	.type = BPF_PROG_TYPE_CGROUP_DEVICE,
	.name = "cgroup_device",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_CGROUP,
	.helpers_refused = cgroup_device_refused,
	.ctx_size = CGROUP_DEV_CTX_SIZE,
	.ctx_access = cgroup_dev_ctx_access,
	.ret_checked = true,
	.ret_min = 0,
	.ret_max = 1,
	.test_run = NULL,
};
