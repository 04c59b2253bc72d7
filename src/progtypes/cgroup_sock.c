/* BPF_PROG_TYPE_CGROUP_SOCK (sock_create, sock_release, post_bind4/6): the
 * context is struct bpf_sock, as the kernel's sock_filter_is_valid_access
 * (bpf_sock_is_valid_access, then __sock_filter_check_attach_type, in
 * net/core/filter.c) allows it:
 *
 *   +0  bound_dev_if  u32 read/write   sock_create and sock_release only
 *   +4  family, +8 type, +12 protocol  u32 reads (narrow at the start)
 *   +16 mark, +20 priority  u32 read/write   sock_create and sock_release only
 *   +24 src_ip4     u32 read, narrow   post_bind4 only
 *   +28 src_ip6[4]  u32 reads, narrow  post_bind6 only
 *   +44 src_port    u32 read, narrow at the start   post_bind4/6 only
 *   +48 dst_port    __be16 read (or the u32 at +48), +50 padding refused
 *   +52 dst_ip4, +56 dst_ip6[4]   reads, narrow
 *   +72 state, +76 rx_queue_mapping   reads, narrow at the start
 *
 * The other fields are read-only. bpfvm has no sockets: no runtime
 * context, no test run. */
#include "engine/prog.h"
#include "helpers/helper_proto.h"
#include "progtypes/progtype.h"

enum {
	SOCK_BOUND_DEV_IF = 0,
	SOCK_FAMILY = 4,
	SOCK_TYPE = 8,
	SOCK_PROTOCOL = 12,
	SOCK_MARK = 16,
	SOCK_PRIORITY = 20,
	SOCK_SRC_IP4 = 24,
	SOCK_SRC_IP6 = 28,
	SOCK_SRC_PORT = 44,
	SOCK_DST_PORT = 48,
	SOCK_DST_IP4 = 52,
	SOCK_DST_IP6 = 56,
	SOCK_STATE = 72,
	SOCK_RX_QUEUE_MAPPING = 76,
	SOCK_SIZE = 80,
};

/* bpf_sock_is_valid_access(): sizes, for reads and writes alike. */
static bool sock_size_ok(int32_t off, uint32_t size)
{
	switch (off) {
	case SOCK_STATE:
	case SOCK_FAMILY:
	case SOCK_TYPE:
	case SOCK_PROTOCOL:
	case SOCK_SRC_PORT:
	case SOCK_RX_QUEUE_MAPPING:
		return progtype_narrow_ok(size, 4);
	default:
		break;
	}
	if ((off >= SOCK_SRC_IP4 && off < SOCK_SRC_PORT) ||
	    (off >= SOCK_DST_IP4 && off < SOCK_STATE))
		return progtype_narrow_ok(size, 4);
	if (off == SOCK_DST_PORT || off == SOCK_DST_PORT + 1)
		return progtype_narrow_ok(size, size == 4 ? 4 : 2);
	if (off > SOCK_DST_PORT + 1 && off < SOCK_DST_IP4)
		return false;
	return size == 4;
}

/* __sock_filter_check_attach_type(). A zero expected attach type is
 * sock_create, as the kernel's bpf_prog_load_fixup_attach_type makes it. */
static bool sock_attach_ok(int32_t off, bool is_write, enum bpf_attach_type attach)
{
	bool create = attach == BPF_CGROUP_INET_SOCK_CREATE ||
		      attach == BPF_CGROUP_INET_SOCK_RELEASE || attach == 0;

	if (off == SOCK_BOUND_DEV_IF || off == SOCK_MARK || off == SOCK_PRIORITY)
		return create;
	if (off >= SOCK_SRC_IP4 && off < SOCK_SRC_IP6)
		return attach == BPF_CGROUP_INET4_POST_BIND && !is_write;
	if (off >= SOCK_SRC_IP6 && off < SOCK_SRC_PORT)
		return attach == BPF_CGROUP_INET6_POST_BIND && !is_write;
	if (off >= SOCK_SRC_PORT && off < SOCK_DST_PORT)
		return (attach == BPF_CGROUP_INET4_POST_BIND ||
			attach == BPF_CGROUP_INET6_POST_BIND) && !is_write;
	return !is_write;
}

static int cgroup_sock_ctx_access(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
				  bool is_write, struct ctx_rewrite *rewrite)
{
	if (off < 0 || off >= SOCK_SIZE || off % (int32_t)size || !sock_size_ok(off, size) ||
	    !sock_attach_ok(off, is_write, prog->expected_attach_type))
		return progtype_ctx_refuse(prog, off, size, is_write);
	return progtype_ctx_keep(off, size, CTX_FIELD_SCALAR, rewrite);
}

/* check_return_code(): 0 or 1, as every cgroup program. */
/* bpf_sk_storage_get_cg_sock_proto: the storage of the context's socket
 * (no delete). */
static const uint32_t cgroup_sock_added[] = { BPF_FUNC_sk_storage_get, 0 };

const struct progtype progtype_cgroup_sock = {
	.type = BPF_PROG_TYPE_CGROUP_SOCK,
	.name = "cgroup_sock",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_CGROUP,
	.ctx_size = SOCK_SIZE,
	.ctx_access = cgroup_sock_ctx_access,
	.helpers_added = cgroup_sock_added,
	.ret_checked = true,
	.ret_min = 0,
	.ret_max = 1,
	.test_run = NULL,
};
