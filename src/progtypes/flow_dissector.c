/* BPF_PROG_TYPE_FLOW_DISSECTOR: the context is a struct __sk_buff of which
 * the kernel's flow_dissector_is_valid_access (net/core/filter.c) allows
 * three reads:
 *
 *   +76  data        u32 read: the packet start
 *   +80  data_end    u32 read: the packet end
 *   +144 flow_keys   u64 read: struct bpf_flow_keys, never NULL
 *
 * No writes (the program writes the dissection through flow_keys). bpfvm
 * has no flow dissector test run yet: no runtime context; the return value
 * is not checked (BPF_OK, BPF_DROP, BPF_FLOW_DISSECTOR_CONTINUE). */
#include <stddef.h>

#include "helpers/helper_proto.h"
#include "progtypes/progtype.h"

static int flow_dissector_ctx_access(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
				     bool is_write, struct ctx_rewrite *rewrite)
{
	if (is_write)
		return progtype_ctx_refuse(prog, off, size, is_write);
	if (off == offsetof(struct __sk_buff, data) && size == 4)
		return progtype_ctx_keep(off, size, CTX_FIELD_PACKET, rewrite);
	if (off == offsetof(struct __sk_buff, data_end) && size == 4)
		return progtype_ctx_keep(off, size, CTX_FIELD_PACKET_END, rewrite);
	if (off == offsetof(struct __sk_buff, flow_keys) && size == 8)
		return progtype_ctx_keep(off, size, CTX_FIELD_PTR, rewrite);
	return progtype_ctx_refuse(prog, off, size, is_write);
}

/* flow_dissector_func_proto: packet loads, but neither the relative one
 * nor bpf_perf_event_output. */
static const uint32_t flow_dissector_refused[] = { BPF_FUNC_skb_load_bytes_relative,
						   BPF_FUNC_perf_event_output, 0 };

/* bpf_flow_dissector_load_bytes reads the packet as skb_load_bytes does. */
const struct progtype progtype_flow_dissector = {
	.type = BPF_PROG_TYPE_FLOW_DISSECTOR,
	.name = "flow_dissector",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_SKB,
	.helpers_refused = flow_dissector_refused,
	.ctx_size = sizeof(struct __sk_buff),
	.ctx_access = flow_dissector_ctx_access,
	.ret_checked = false,
	.test_run = NULL,
};
