/* BPF_PROG_TYPE_CGROUP_SYSCTL: the context is struct bpf_sysctl, as the
 * kernel's sysctl_is_valid_access (kernel/bpf/cgroup.c) allows it:
 *
 *   +0 write      u32 read, narrow loads allowed
 *   +4 file_pos   u32 read (narrow loads allowed) and u32 write
 *
 * bpfvm has no sysctls: no runtime context, no test run. */
#include "helpers/helper_proto.h"
#include "progtypes/progtype.h"

#define CGROUP_SYSCTL_CTX_SIZE 8
#define CGROUP_SYSCTL_FILE_POS 4

static int cgroup_sysctl_ctx_access(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
				    bool is_write, struct ctx_rewrite *rewrite)
{
	bool ok = off >= 0 && off + (int32_t)size <= CGROUP_SYSCTL_CTX_SIZE &&
		  off % (int32_t)size == 0;

	if (ok && is_write)
		ok = off == CGROUP_SYSCTL_FILE_POS && size == 4;
	else if (ok)
		ok = progtype_narrow_ok(size, 4);
	if (!ok)
		return progtype_ctx_refuse(prog, off, size, is_write);
	return progtype_ctx_keep(off, size, CTX_FIELD_SCALAR, rewrite);
}

/* cgroup_sysctl_func_proto has no bpf_get_netns_cookie. */
static const uint32_t cgroup_sysctl_refused[] = { BPF_FUNC_get_netns_cookie, 0 };

/* check_return_code(): 0 (refuse the access) or 1. */
/* sysctl_func_proto: the sysctl's name and values. */
static const uint32_t cgroup_sysctl_added[] = { BPF_FUNC_sysctl_get_name,
						BPF_FUNC_sysctl_get_current_value,
						BPF_FUNC_sysctl_get_new_value,
						BPF_FUNC_sysctl_set_new_value, 0 };

const struct progtype progtype_cgroup_sysctl = {
	.type = BPF_PROG_TYPE_CGROUP_SYSCTL,
	.name = "cgroup_sysctl",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_CGROUP,
	.helpers_refused = cgroup_sysctl_refused,
	.helpers_added = cgroup_sysctl_added,
	.ctx_size = CGROUP_SYSCTL_CTX_SIZE,
	.ctx_access = cgroup_sysctl_ctx_access,
	.ret_checked = true,
	.ret_min = 0,
	.ret_max = 1,
	.test_run = NULL,
};
