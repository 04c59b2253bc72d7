/* BPF_PROG_TYPE_SK_LOOKUP: the context is struct bpf_sk_lookup, as the
 * kernel's sk_lookup_is_valid_access (net/core/filter.c) allows it:
 *
 *   +0  sk (or cookie)   u64 read: the selected socket or NULL
 *   +8  family, +12 protocol, +16 remote_ip4, +20 remote_ip6[4]
 *                        u32 reads, narrow loads allowed
 *   +36 remote_port      __be16 read (or the u32 at +36)
 *   +38 padding          zero, readable as a u16 for compatibility
 *   +40 local_ip4, +44 local_ip6[4], +60 local_port, +64 ingress_ifindex
 *                        u32 reads, narrow loads allowed
 *
 * No writes. bpfvm has no socket lookup: no runtime context, no test run. */
#include "helpers/helper_proto.h"
#include "progtypes/progtype.h"

enum {
	SK_LOOKUP_SK = 0,
	SK_LOOKUP_FAMILY = 8,
	SK_LOOKUP_REMOTE_PORT = 36,
	SK_LOOKUP_LOCAL_IP4 = 40,
	SK_LOOKUP_END = 68, /* past ingress_ifindex */
	SK_LOOKUP_SIZE = 72,
};

static int sk_lookup_ctx_access(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
				bool is_write, struct ctx_rewrite *rewrite)
{
	enum ctx_field_kind kind = CTX_FIELD_SCALAR;
	bool ok = !is_write && off >= 0 && off < SK_LOOKUP_END && off % (int32_t)size == 0;

	if (ok && off < SK_LOOKUP_FAMILY) {
		ok = off == SK_LOOKUP_SK && size == 8;
		kind = CTX_FIELD_SOCKET_OR_NULL;
	} else if (ok && off >= SK_LOOKUP_REMOTE_PORT && off < SK_LOOKUP_LOCAL_IP4) {
		ok = (off == SK_LOOKUP_REMOTE_PORT && size == 4) || progtype_narrow_ok(size, 2);
	} else if (ok) {
		ok = progtype_narrow_ok(size, 4);
	}
	if (!ok)
		return progtype_ctx_refuse(prog, off, size, is_write);
	return progtype_ctx_keep(off, size, kind, rewrite);
}

/* sk_lookup_func_proto has bpf_perf_event_output (bpf_sk_base_func_proto
 * does not). */
static const uint32_t sk_lookup_added[] = { BPF_FUNC_perf_event_output, BPF_FUNC_sk_assign,
					    BPF_FUNC_sk_release, 0 };

/* check_return_code(): SK_DROP (0) or SK_PASS (1). */
const struct progtype progtype_sk_lookup = {
	.type = BPF_PROG_TYPE_SK_LOOKUP,
	.name = "sk_lookup",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_SOCK,
	.helpers_added = sk_lookup_added,
	.ctx_size = SK_LOOKUP_SIZE,
	.ctx_access = sk_lookup_ctx_access,
	.ret_checked = true,
	.ret_min = 0,
	.ret_max = 1,
	.test_run = NULL,
};
