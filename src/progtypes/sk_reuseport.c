/* BPF_PROG_TYPE_SK_REUSEPORT (select, select_or_migrate): the context is
 * struct sk_reuseport_md, as the kernel's sk_reuseport_is_valid_access
 * (net/core/filter.c) allows it:
 *
 *   +0  data, +8 data_end   u64 reads: the packet's linear part
 *   +16 len, +24 ip_protocol, +28 bind_inany   u32 reads, narrow allowed
 *   +20 eth_protocol        u32 read, narrow down to 2 bytes
 *   +32 hash                u32 read, whole
 *   +40 sk                  u64 read: the listening socket, never NULL
 *   +48 migrating_sk        u64 read: the migrating socket or NULL
 *
 * No writes. bpfvm has no reuseport groups: no runtime context, no test
 * run; the return value (SK_PASS, SK_DROP) is not checked by the kernel. */
#include "helpers/helper_proto.h"
#include "progtypes/progtype.h"

enum {
	REUSEPORT_DATA = 0,
	REUSEPORT_DATA_END = 8,
	REUSEPORT_LEN = 16,
	REUSEPORT_ETH_PROTOCOL = 20,
	REUSEPORT_HASH = 32,
	REUSEPORT_SK = 40,
	REUSEPORT_MIGRATING_SK = 48,
	REUSEPORT_SIZE = 56,
};

static bool sk_reuseport_read_ok(int32_t off, uint32_t size, enum ctx_field_kind *kind)
{
	switch (off) {
	case REUSEPORT_DATA:
		*kind = CTX_FIELD_PACKET;
		return size == 8;
	case REUSEPORT_DATA_END:
		*kind = CTX_FIELD_PACKET_END;
		return size == 8;
	case REUSEPORT_HASH:
		return size == 4;
	case REUSEPORT_SK:
		*kind = CTX_FIELD_SOCKET;
		return size == 8;
	case REUSEPORT_MIGRATING_SK:
		*kind = CTX_FIELD_SOCK_COMMON_OR_NULL;
		return size == 8;
	default:
		break;
	}
	if (off >= REUSEPORT_ETH_PROTOCOL && off < REUSEPORT_ETH_PROTOCOL + 4 && size < 2)
		return false;
	return off >= REUSEPORT_LEN && off < REUSEPORT_HASH && progtype_narrow_ok(size, 4);
}

static int sk_reuseport_ctx_access(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
				   bool is_write, struct ctx_rewrite *rewrite)
{
	enum ctx_field_kind kind = CTX_FIELD_SCALAR;

	if (off < 0 || off >= REUSEPORT_SIZE || off % (int32_t)size || is_write ||
	    !sk_reuseport_read_ok(off, size, &kind))
		return progtype_ctx_refuse(prog, off, size, is_write);
	return progtype_ctx_keep(off, size, kind, rewrite);
}

/* sk_reuseport_func_proto has no bpf_perf_event_output. */
/* sk_reuseport_func_proto: choosing the socket (helpers_sock.c). */
static const uint32_t sk_reuseport_added[] = { BPF_FUNC_sk_select_reuseport, 0 };
static const uint32_t sk_reuseport_refused[] = {
	BPF_FUNC_perf_event_output, BPF_FUNC_skc_to_tcp6_sock, BPF_FUNC_skc_to_tcp_sock,
	BPF_FUNC_skc_to_tcp_timewait_sock, BPF_FUNC_skc_to_tcp_request_sock,
	BPF_FUNC_skc_to_udp6_sock, BPF_FUNC_skc_to_unix_sock, BPF_FUNC_skc_to_mptcp_sock, 0
};

const struct progtype progtype_sk_reuseport = {
	.type = BPF_PROG_TYPE_SK_REUSEPORT,
	.name = "sk_reuseport",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_SKB,
	.helpers_refused = sk_reuseport_refused,
	.helpers_added = sk_reuseport_added,
	.ctx_size = REUSEPORT_SIZE,
	.ctx_access = sk_reuseport_ctx_access,
	.ret_checked = false,
	.test_run = NULL,
};
