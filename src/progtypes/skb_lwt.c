/* The __sk_buff program types without a test run in bpfvm yet: sk_skb
 * (stream parser and verdict of sockmaps) and the lightweight tunnels
 * (lwt_in, lwt_out, lwt_xmit, lwt_seg6local). Their accesses follow the
 * kernel's sk_skb_is_valid_access and lwt_is_valid_access
 * (skb_access.c) and rewrite as the other __sk_buff types do, for the
 * runtime context of skb.h. Return values are not checked by the kernel. */
#include "helpers/helper_proto.h"
#include "progtypes/skb.h"

static int skb_sk_skb_access(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
			     bool is_write, struct ctx_rewrite *rewrite)
{
	return skb_ctx_access(prog, SKB_RULES_SK_SKB, off, size, is_write, rewrite);
}

static int skb_lwt_access(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
			  bool is_write, struct ctx_rewrite *rewrite)
{
	return skb_ctx_access(prog, SKB_RULES_LWT, off, size, is_write, rewrite);
}

/* lwt_in, lwt_out and lwt_seg6local have bpf_csum_diff and
 * bpf_skb_pull_data but not
 * bpf_skb_load_bytes_relative (lwt_out_func_proto, the others' base); the
 * stream parser of sk_skb has no relative load either. */
static const uint32_t skb_no_relative_load[] = { BPF_FUNC_skb_load_bytes_relative, 0 };
static const uint32_t lwt_added[] = { BPF_FUNC_csum_diff, BPF_FUNC_skb_pull_data, 0 };
/* sk_skb_func_proto: room adjustment, pulling and the sockmap redirects. */
static const uint32_t sk_skb_added[] = { BPF_FUNC_skb_adjust_room, BPF_FUNC_sk_redirect_map,
					 BPF_FUNC_sk_redirect_hash, BPF_FUNC_skb_pull_data, 0 };
/* lwt_xmit_func_proto: tunnel metadata. */
static const uint32_t lwt_xmit_added[] = { BPF_FUNC_skb_set_tunnel_key, 0 };

/* The stream helpers may change the packet (store_bytes), but sk_skb is
 * not tc: no checksum helpers, no bpf_redirect (sk_skb_func_proto). */
const struct progtype progtype_sk_skb = {
	.type = BPF_PROG_TYPE_SK_SKB,
	.name = "sk_skb",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_SKB | HELPER_FAMILY_SK_SKB |
			   HELPER_FAMILY_SK_LOOKUP,
	.helpers_refused = skb_no_relative_load,
	.helpers_added = sk_skb_added,
	.ctx_size = sizeof(struct __sk_buff),
	.ctx_access = skb_sk_skb_access,
	.ret_checked = false,
	.test_run = NULL,
};

const struct progtype progtype_lwt_in = {
	.type = BPF_PROG_TYPE_LWT_IN,
	.name = "lwt_in",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_SKB,
	.helpers_refused = skb_no_relative_load,
	.helpers_added = lwt_added,
	.ctx_size = sizeof(struct __sk_buff),
	.ctx_access = skb_lwt_access,
	.ret_checked = false,
	.test_run = NULL,
};

const struct progtype progtype_lwt_out = {
	.type = BPF_PROG_TYPE_LWT_OUT,
	.name = "lwt_out",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_SKB,
	.helpers_refused = skb_no_relative_load,
	.helpers_added = lwt_added,
	.ctx_size = sizeof(struct __sk_buff),
	.ctx_access = skb_lwt_access,
	.ret_checked = false,
	.test_run = NULL,
};

/* lwt_xmit may rewrite the packet and its checksums, as tc does. */
const struct progtype progtype_lwt_xmit = {
	.type = BPF_PROG_TYPE_LWT_XMIT,
	.name = "lwt_xmit",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_SKB | HELPER_FAMILY_SKB_WRITE,
	.helpers_refused = skb_no_relative_load,
	.helpers_added = lwt_xmit_added,
	.ctx_size = sizeof(struct __sk_buff),
	.ctx_access = skb_lwt_access,
	.ret_checked = false,
	.test_run = NULL,
};

const struct progtype progtype_lwt_seg6local = {
	.type = BPF_PROG_TYPE_LWT_SEG6LOCAL,
	.name = "lwt_seg6local",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_SKB,
	.helpers_refused = skb_no_relative_load,
	.helpers_added = lwt_added,
	.ctx_size = sizeof(struct __sk_buff),
	.ctx_access = skb_lwt_access,
	.ret_checked = false,
	.test_run = NULL,
};
