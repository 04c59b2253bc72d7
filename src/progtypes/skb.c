/* The program types over struct __sk_buff: socket filter, tc classifier and
 * action, cgroup skb. They share the runtime context (skb.h) and the test
 * run (skb_test_run.c); they differ in which fields they may touch
 * (skb_access.c), the helpers they may call and the values they return. */
#include "engine/prog.h"
#include "helpers/helper_proto.h"
#include "progtypes/skb.h"

static int skb_socket_filter_access(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
				    bool is_write, struct ctx_rewrite *rewrite)
{
	return skb_ctx_access(prog, SKB_RULES_SOCKET_FILTER, off, size, is_write, rewrite);
}

static int skb_tc_access(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
			 bool is_write, struct ctx_rewrite *rewrite)
{
	return skb_ctx_access(prog, SKB_RULES_TC, off, size, is_write, rewrite);
}

static int skb_cgroup_access(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
			     bool is_write, struct ctx_rewrite *rewrite)
{
	return skb_ctx_access(prog, SKB_RULES_CGROUP, off, size, is_write, rewrite);
}

void skb_legacy_packet(void *ctx, const uint8_t **data, uint64_t *len)
{
	const struct skb_ctx *skb = ctx;

	*data = skb->data;
	*len = skb->fields.len;
}

/* sk_filter_func_proto and tc_cls_act_func_proto have bpf_get_netns_cookie
 * beyond the skb families. */
static const uint32_t skb_added[] = { BPF_FUNC_get_netns_cookie, 0 };
/* tc_cls_act_func_proto: also tunnels, room adjustment and the FIB. */
static const uint32_t tc_added[] = { BPF_FUNC_get_netns_cookie, BPF_FUNC_skb_adjust_room,
				     BPF_FUNC_skb_set_tunnel_key, BPF_FUNC_fib_lookup,
				     BPF_FUNC_sk_assign, 0 };

const struct progtype progtype_socket_filter = {
	.type = BPF_PROG_TYPE_SOCKET_FILTER,
	.name = "socket_filter",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_SKB,
	.helpers_added = skb_added,
	.ctx_size = sizeof(struct __sk_buff),
	.ctx_access = skb_socket_filter_access,
	.ret_checked = false,
	.legacy_packet = skb_legacy_packet,
	.event_packet = skb_legacy_packet,
	.test_run = skb_test_run,
};

const struct progtype progtype_sched_cls = {
	.type = BPF_PROG_TYPE_SCHED_CLS,
	.name = "sched_cls",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_SKB | HELPER_FAMILY_SKB_WRITE |
			   HELPER_FAMILY_SK_STORAGE | HELPER_FAMILY_SK_LOOKUP |
			   HELPER_FAMILY_SK_CAST,
	.helpers_added = tc_added,
	.ctx_size = sizeof(struct __sk_buff),
	.ctx_access = skb_tc_access,
	.ret_checked = false,
	.legacy_packet = skb_legacy_packet,
	.event_packet = skb_legacy_packet,
	.test_run = skb_test_run,
};

const struct progtype progtype_sched_act = {
	.type = BPF_PROG_TYPE_SCHED_ACT,
	.name = "sched_act",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_SKB | HELPER_FAMILY_SKB_WRITE |
			   HELPER_FAMILY_SK_STORAGE | HELPER_FAMILY_SK_LOOKUP |
			   HELPER_FAMILY_SK_CAST,
	.helpers_added = tc_added,
	.ctx_size = sizeof(struct __sk_buff),
	.ctx_access = skb_tc_access,
	.ret_checked = false,
	.legacy_packet = skb_legacy_packet,
	.event_packet = skb_legacy_packet,
	.test_run = skb_test_run,
};

/* cg_skb_func_proto: the cgroup of a socket (helpers_sock.c). */
static const uint32_t cgroup_skb_added[] = { BPF_FUNC_sk_cgroup_id, BPF_FUNC_sk_ancestor_cgroup_id,
					     0 };

/* check_return_code(): 0..3 at egress (bit 1: congestion notification),
 * 0..1 at ingress. */
static bool skb_cgroup_ret_range(const struct bpfvm_prog *prog, int64_t *min, int64_t *max)
{
	*min = 0;
	*max = prog->expected_attach_type == BPF_CGROUP_INET_EGRESS ? 3 : 1;
	return true;
}

const struct progtype progtype_cgroup_skb = {
	.type = BPF_PROG_TYPE_CGROUP_SKB,
	.name = "cgroup_skb",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_SKB | HELPER_FAMILY_CGROUP |
			   HELPER_FAMILY_SK_STORAGE | HELPER_FAMILY_SK_LOOKUP |
			   HELPER_FAMILY_SK_CAST,
	.ctx_size = sizeof(struct __sk_buff),
	.helpers_added = cgroup_skb_added,
	.ctx_access = skb_cgroup_access,
	.ret_range = skb_cgroup_ret_range,
	.legacy_packet = skb_legacy_packet,
	.event_packet = skb_legacy_packet,
	.test_run = skb_test_run,
};
