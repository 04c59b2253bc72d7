/* BPF_PROG_TYPE_CGROUP_SOCK_ADDR (bind, connect, sendmsg, recvmsg,
 * getpeername, getsockname, for inet4, inet6 and unix sockets): the context
 * is struct bpf_sock_addr, as the kernel's sock_addr_is_valid_access
 * (net/core/filter.c) allows it:
 *
 *   +0  user_family  u32 read
 *   +4  user_ip4     read (narrow) and u32 write     the inet4 attach types
 *   +8  user_ip6[4]  read (narrow, or u64 at +8/+16) and u32/u64 write
 *                                                    the inet6 attach types
 *   +24 user_port    read (narrow) and u32 write
 *   +28 family, +32 type, +36 protocol   u32 reads
 *   +40 msg_src_ip4     as user_ip4      sendmsg4 only
 *   +44 msg_src_ip6[4]  as user_ip6 (u64 at +48)   sendmsg6 only
 *   +60 padding      refused (the kernel has no conversion for it)
 *   +64 sk           u64 read: the socket, never NULL
 *
 * bpfvm has no sockets: no runtime context, no test run. */
#include "engine/prog.h"
#include "helpers/helper_proto.h"
#include "progtypes/progtype.h"

enum {
	SOCK_ADDR_USER_IP4 = 4,
	SOCK_ADDR_USER_IP6 = 8,
	SOCK_ADDR_USER_PORT = 24,
	SOCK_ADDR_FAMILY = 28,
	SOCK_ADDR_MSG_SRC_IP4 = 40,
	SOCK_ADDR_MSG_SRC_IP6 = 44,
	SOCK_ADDR_PADDING = 60,
	SOCK_ADDR_SK = 64,
	SOCK_ADDR_SIZE = 72,
};

/* Kernel values newer than some distributions' linux/bpf.h. */
enum {
	SOCK_ADDR_ATTACH_UNIX_RECVMSG = 51,	/* BPF_CGROUP_UNIX_RECVMSG */
	SOCK_ADDR_ATTACH_UNIX_GETPEERNAME = 52, /* BPF_CGROUP_UNIX_GETPEERNAME */
	SOCK_ADDR_ATTACH_UNIX_GETSOCKNAME = 53, /* BPF_CGROUP_UNIX_GETSOCKNAME */
};

/* The IPv4 fields exist for the IPv4 attach types, the IPv6 ones for IPv6. */
static bool sock_addr_attach_ok(int32_t off, enum bpf_attach_type attach)
{
	if (off >= SOCK_ADDR_USER_IP4 && off < SOCK_ADDR_USER_IP6)
		return attach == BPF_CGROUP_INET4_BIND || attach == BPF_CGROUP_INET4_CONNECT ||
		       attach == BPF_CGROUP_INET4_GETPEERNAME ||
		       attach == BPF_CGROUP_INET4_GETSOCKNAME || attach == BPF_CGROUP_UDP4_SENDMSG ||
		       attach == BPF_CGROUP_UDP4_RECVMSG;
	if (off >= SOCK_ADDR_USER_IP6 && off < SOCK_ADDR_USER_PORT)
		return attach == BPF_CGROUP_INET6_BIND || attach == BPF_CGROUP_INET6_CONNECT ||
		       attach == BPF_CGROUP_INET6_GETPEERNAME ||
		       attach == BPF_CGROUP_INET6_GETSOCKNAME || attach == BPF_CGROUP_UDP6_SENDMSG ||
		       attach == BPF_CGROUP_UDP6_RECVMSG;
	if (off >= SOCK_ADDR_MSG_SRC_IP4 && off < SOCK_ADDR_MSG_SRC_IP6)
		return attach == BPF_CGROUP_UDP4_SENDMSG;
	if (off >= SOCK_ADDR_MSG_SRC_IP6 && off < SOCK_ADDR_MSG_SRC_IP6 + 16)
		return attach == BPF_CGROUP_UDP6_SENDMSG;
	return true;
}

/* bpf_ctx_wide_access_ok(): an aligned u64 inside an IPv6 address. */
static bool sock_addr_wide_ok(int32_t off, uint32_t size)
{
	if (size != 8 || off % 8)
		return false;
	return (off >= SOCK_ADDR_USER_IP6 && off + 8 <= SOCK_ADDR_USER_PORT) ||
	       (off >= SOCK_ADDR_MSG_SRC_IP6 && off + 8 <= SOCK_ADDR_MSG_SRC_IP6 + 16);
}

static bool sock_addr_is_address(int32_t off)
{
	return (off >= SOCK_ADDR_USER_IP4 && off < SOCK_ADDR_FAMILY) ||
	       (off >= SOCK_ADDR_MSG_SRC_IP4 && off < SOCK_ADDR_MSG_SRC_IP6 + 16);
}

static int sock_addr_ctx_access(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
				bool is_write, struct ctx_rewrite *rewrite)
{
	enum ctx_field_kind kind = CTX_FIELD_SCALAR;
	bool ok = off >= 0 && off < SOCK_ADDR_SIZE && off % (int32_t)size == 0 &&
		  sock_addr_attach_ok(off, prog->expected_attach_type);

	if (ok && sock_addr_is_address(off))
		ok = sock_addr_wide_ok(off, size) ||
		     (is_write ? size == 4 : progtype_narrow_ok(size, 4));
	else if (ok && off >= SOCK_ADDR_PADDING) {
		ok = off == SOCK_ADDR_SK && size == 8 && !is_write;
		kind = CTX_FIELD_SOCKET;
	} else if (ok)
		ok = size == 4 && !is_write;
	if (!ok)
		return progtype_ctx_refuse(prog, off, size, is_write);
	return progtype_ctx_keep(off, size, kind, rewrite);
}

/* check_return_code(): recvmsg, getpeername and getsockname return 1; bind
 * 0 to 3 (bit 1: let the kernel skip its port check); the others 0 or 1. */
static bool sock_addr_ret_range(const struct bpfvm_prog *prog, int64_t *min, int64_t *max)
{
	int attach = (int)prog->expected_attach_type;

	*min = 0;
	*max = 1;
	switch (attach) {
	case BPF_CGROUP_UDP4_RECVMSG:
	case BPF_CGROUP_UDP6_RECVMSG:
	case SOCK_ADDR_ATTACH_UNIX_RECVMSG:
	case BPF_CGROUP_INET4_GETPEERNAME:
	case BPF_CGROUP_INET6_GETPEERNAME:
	case SOCK_ADDR_ATTACH_UNIX_GETPEERNAME:
	case BPF_CGROUP_INET4_GETSOCKNAME:
	case BPF_CGROUP_INET6_GETSOCKNAME:
	case SOCK_ADDR_ATTACH_UNIX_GETSOCKNAME:
		*min = 1;
		break;
	case BPF_CGROUP_INET4_BIND:
	case BPF_CGROUP_INET6_BIND:
		*max = 3;
		break;
	default:
		break;
	}
	return true;
}

/* sock_addr_func_proto: bpf_sock_addr_setsockopt and getsockopt, bpf_bind
 * (connect4/6 only: progtype_attach_allows_helper). */
static const uint32_t sock_addr_added[] = { BPF_FUNC_setsockopt, BPF_FUNC_getsockopt,
					     BPF_FUNC_bind, 0 };

const struct progtype progtype_cgroup_sock_addr = {
	.type = BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
	.name = "cgroup_sock_addr",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_CGROUP | HELPER_FAMILY_SK_STORAGE |
			   HELPER_FAMILY_SK_LOOKUP | HELPER_FAMILY_SKC_TO,
	.helpers_added = sock_addr_added,
	.ctx_size = SOCK_ADDR_SIZE,
	.ctx_access = sock_addr_ctx_access,
	.ret_range = sock_addr_ret_range,
	.test_run = NULL,
};
