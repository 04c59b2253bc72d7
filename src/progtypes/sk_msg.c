/* BPF_PROG_TYPE_SK_MSG: the context is struct sk_msg_md, as the kernel's
 * sk_msg_is_valid_access (net/core/filter.c) allows it:
 *
 *   +0  data, +8 data_end   u64 reads: the message's bytes, as a packet
 *   +16 family, +20 remote_ip4, +24 local_ip4, +28 remote_ip6[4],
 *   +44 local_ip6[4], +60 remote_port, +64 local_port, +68 size
 *                           u32 reads, whole
 *   +72 sk                  u64 read: the socket, never NULL
 *
 * No writes. bpfvm has no sockmaps: no runtime context, no test run. */
#include "helpers/helper_proto.h"
#include "progtypes/progtype.h"

enum {
	SK_MSG_DATA = 0,
	SK_MSG_DATA_END = 8,
	SK_MSG_FAMILY = 16,
	SK_MSG_SK = 72,
	SK_MSG_SIZE = 80,
};

static int sk_msg_ctx_access(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
			     bool is_write, struct ctx_rewrite *rewrite)
{
	enum ctx_field_kind kind = CTX_FIELD_SCALAR;
	bool ok = !is_write && off % (int32_t)size == 0;

	switch (off) {
	case SK_MSG_DATA:
		kind = CTX_FIELD_PACKET;
		ok = ok && size == 8;
		break;
	case SK_MSG_DATA_END:
		kind = CTX_FIELD_PACKET_END;
		ok = ok && size == 8;
		break;
	case SK_MSG_SK:
		kind = CTX_FIELD_SOCKET;
		ok = ok && size == 8;
		break;
	default:
		ok = ok && off >= SK_MSG_FAMILY && off < SK_MSG_SK && size == 4;
		break;
	}
	if (!ok)
		return progtype_ctx_refuse(prog, off, size, is_write);
	return progtype_ctx_keep(off, size, kind, rewrite);
}

/* sk_msg_func_proto has bpf_perf_event_output (bpf_sk_base_func_proto
 * does not) and bpf_get_netns_cookie. */
static const uint32_t sk_msg_added[] = { BPF_FUNC_perf_event_output, BPF_FUNC_get_netns_cookie,
					   BPF_FUNC_msg_redirect_map, BPF_FUNC_msg_redirect_hash,
					   BPF_FUNC_msg_apply_bytes, BPF_FUNC_msg_cork_bytes,
					   BPF_FUNC_msg_pull_data, BPF_FUNC_msg_push_data,
					   BPF_FUNC_msg_pop_data, 0 };

const struct progtype progtype_sk_msg = {
	.type = BPF_PROG_TYPE_SK_MSG,
	.name = "sk_msg",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_SOCK | HELPER_FAMILY_SK_STORAGE,
	.helpers_added = sk_msg_added,
	.ctx_size = SK_MSG_SIZE,
	.ctx_access = sk_msg_ctx_access,
	.ret_checked = false,
	.test_run = NULL,
};
