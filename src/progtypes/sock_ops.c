/* BPF_PROG_TYPE_SOCK_OPS: the context is struct bpf_sock_ops (Linux 6.18
 * layout, 224 bytes), as the kernel's sock_ops_is_valid_access
 * (net/core/filter.c) allows it:
 *
 *   +0   op                      u32 reads
 *   +4   args[4] / reply / replylong[4]   u32 reads; reply (+4) writable
 *   +20  family ... sacked_out   u32 reads (4 bytes, no narrow loads)
 *   +164 sk_txhash               u32 read and write
 *   +168 bytes_received, +176 bytes_acked     u64 reads
 *   +184 sk                      u64 read: a socket or NULL
 *   +192 skb_data, +200 skb_data_end          u64 reads: packet pointers
 *   +208 skb_len                 u32 read
 *   +212 skb_tcp_flags           u32 read, narrow loads allowed
 *   +216 skb_hwtstamp            u64 read
 *
 * A read inside a pointer or u64 field at another offset has no
 * conversion in the kernel, which refuses it; so does bpfvm. bpfvm has no
 * TCP stack: no runtime context, no test run. */
#include "helpers/helper_proto.h"
#include "progtypes/progtype.h"

enum {
	SOCK_OPS_REPLY = 4,
	SOCK_OPS_SK_TXHASH = 164,
	SOCK_OPS_BYTES_RECEIVED = 168,
	SOCK_OPS_BYTES_ACKED = 176,
	SOCK_OPS_SK = 184,
	SOCK_OPS_SKB_DATA = 192,
	SOCK_OPS_SKB_DATA_END = 200,
	SOCK_OPS_SKB_TCP_FLAGS = 212,
	SOCK_OPS_SKB_HWTSTAMP = 216,
	SOCK_OPS_SIZE = 224,
};

/* The 8-byte fields, read whole at their offset only. */
static bool sock_ops_wide_ok(int32_t off, uint32_t size, enum ctx_field_kind *kind)
{
	switch (off) {
	case SOCK_OPS_SK:
		*kind = CTX_FIELD_SOCKET_OR_NULL;
		return size == 8;
	case SOCK_OPS_SKB_DATA:
		*kind = CTX_FIELD_PACKET;
		return size == 8;
	case SOCK_OPS_SKB_DATA_END:
		*kind = CTX_FIELD_PACKET_END;
		return size == 8;
	default:
		return size == 8 && (off == SOCK_OPS_BYTES_RECEIVED || off == SOCK_OPS_BYTES_ACKED ||
				     off == SOCK_OPS_SKB_HWTSTAMP);
	}
}

static bool sock_ops_read_ok(int32_t off, uint32_t size, enum ctx_field_kind *kind)
{
	if (off >= SOCK_OPS_BYTES_RECEIVED && off < SOCK_OPS_SKB_DATA_END + 8)
		return sock_ops_wide_ok(off, size, kind);
	if (off >= SOCK_OPS_SKB_HWTSTAMP)
		return sock_ops_wide_ok(off, size, kind);
	if (off == SOCK_OPS_SKB_TCP_FLAGS)
		return progtype_narrow_ok(size, 4);
	return size == 4;
}

static int sock_ops_ctx_access(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
			       bool is_write, struct ctx_rewrite *rewrite)
{
	enum ctx_field_kind kind = CTX_FIELD_SCALAR;
	bool ok = off >= 0 && off < SOCK_OPS_SIZE && off % (int32_t)size == 0;

	if (ok && is_write)
		ok = (off == SOCK_OPS_REPLY || off == SOCK_OPS_SK_TXHASH) && size == 4;
	else if (ok)
		ok = sock_ops_read_ok(off, size, &kind);
	if (!ok)
		return progtype_ctx_refuse(prog, off, size, is_write);
	return progtype_ctx_keep(off, size, kind, rewrite);
}

/* sock_ops_func_proto: the socket's callbacks, options and sockmaps. */
static const uint32_t sock_ops_added[] = { BPF_FUNC_sock_ops_cb_flags_set, BPF_FUNC_setsockopt,
					     BPF_FUNC_sock_map_update, BPF_FUNC_sock_hash_update,
					     BPF_FUNC_tcp_sock, BPF_FUNC_getsockopt, 0 };

/* check_return_code(): 0 or 1, as every cgroup program. */
const struct progtype progtype_sock_ops = {
	.type = BPF_PROG_TYPE_SOCK_OPS,
	.name = "sock_ops",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_CGROUP | HELPER_FAMILY_SK_STORAGE |
			   HELPER_FAMILY_SKC_TO,
	.ctx_size = SOCK_OPS_SIZE,
	.ctx_access = sock_ops_ctx_access,
	.helpers_added = sock_ops_added,
	.ret_checked = true,
	.ret_min = 0,
	.ret_max = 1,
	.test_run = NULL,
};
