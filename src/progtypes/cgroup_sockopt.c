/* BPF_PROG_TYPE_CGROUP_SOCKOPT (getsockopt, setsockopt): the context is
 * struct bpf_sockopt, as the kernel's cg_sockopt_is_valid_access
 * (kernel/bpf/cgroup.c) allows it:
 *
 *   +0  sk           u64 read: the socket, never NULL
 *   +8  optval       u64 read: the option's bytes, as a packet
 *   +16 optval_end   u64 read: their end
 *   +24 level, +28 optname   u32 read; u32 write at setsockopt
 *   +32 optlen       u32 read and write
 *   +36 retval       u32 read and write, getsockopt only
 *
 * bpfvm has no sockets: no runtime context, no test run. */
#include "engine/prog.h"
#include "helpers/helper_proto.h"
#include "progtypes/progtype.h"

enum {
	SOCKOPT_SK = 0,
	SOCKOPT_OPTVAL = 8,
	SOCKOPT_OPTVAL_END = 16,
	SOCKOPT_LEVEL = 24,
	SOCKOPT_OPTNAME = 28,
	SOCKOPT_OPTLEN = 32,
	SOCKOPT_RETVAL = 36,
	SOCKOPT_SIZE = 40,
};

static bool sockopt_write_ok(int32_t off, enum bpf_attach_type attach)
{
	switch (off) {
	case SOCKOPT_RETVAL:
		return attach == BPF_CGROUP_GETSOCKOPT;
	case SOCKOPT_LEVEL:
	case SOCKOPT_OPTNAME:
		return attach == BPF_CGROUP_SETSOCKOPT;
	default:
		return off == SOCKOPT_OPTLEN;
	}
}

static bool sockopt_read_ok(int32_t off, uint32_t size, enum bpf_attach_type attach,
			    enum ctx_field_kind *kind)
{
	static const enum ctx_field_kind pointers[] = { CTX_FIELD_SOCKET, CTX_FIELD_PACKET,
							CTX_FIELD_PACKET_END };

	if (off < SOCKOPT_LEVEL) {
		*kind = pointers[off / 8];
		return size == 8;
	}
	if (off == SOCKOPT_RETVAL)
		return size == 4 && attach == BPF_CGROUP_GETSOCKOPT;
	return size == 4;
}

static int cgroup_sockopt_ctx_access(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
				     bool is_write, struct ctx_rewrite *rewrite)
{
	enum ctx_field_kind kind = CTX_FIELD_SCALAR;
	bool ok = off >= 0 && off < SOCKOPT_SIZE && off % (int32_t)size == 0;

	if (ok && is_write)
		ok = size == 4 && sockopt_write_ok(off, prog->expected_attach_type);
	else if (ok)
		ok = sockopt_read_ok(off, size, prog->expected_attach_type, &kind);
	if (!ok)
		return progtype_ctx_refuse(prog, off, size, is_write);
	return progtype_ctx_keep(off, size, kind, rewrite);
}

/* cgroup_sockopt_func_proto has no bpf_ktime_get_coarse_ns, unlike the other
 * cgroup types. */
static const uint32_t cgroup_sockopt_refused[] = { BPF_FUNC_ktime_get_coarse_ns, 0 };
/* cg_sockopt_func_proto: the TCP state of the context's socket. */
static const uint32_t cgroup_sockopt_added[] = { BPF_FUNC_tcp_sock, 0 };

/* check_return_code(): 0 (refuse with EPERM) or 1. */
const struct progtype progtype_cgroup_sockopt = {
	.type = BPF_PROG_TYPE_CGROUP_SOCKOPT,
	.name = "cgroup_sockopt",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_CGROUP | HELPER_FAMILY_SK_STORAGE,
	.helpers_refused = cgroup_sockopt_refused,
	.helpers_added = cgroup_sockopt_added,
	.ctx_size = SOCKOPT_SIZE,
	.ctx_access = cgroup_sockopt_ctx_access,
	.ret_checked = true,
	.ret_min = 0,
	.ret_max = 1,
	.test_run = NULL,
};
