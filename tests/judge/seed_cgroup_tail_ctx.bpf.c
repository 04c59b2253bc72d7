/* Seed 000 ("Tail calls, part 2"), typos fixed: three cgroup_skb/egress
 * programs in one section chained by tail calls through a statically
 * initialised PROG_ARRAY, passing data in a one-slot PERCPU_ARRAY. The last
 * program publishes what it received in skb->mark (cgroup_skb may only
 * return 0 or 1). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define TAIL_CALL_EGRESS_2 0
#define TAIL_CALL_EGRESS_3 1

#define SK_PASS 1

struct tail_context {
	__u8 value_from_1;
	__u8 value_from_2;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tail_context);
} tail_context_map SEC(".maps");

long egress2(struct __sk_buff *ctx);
long egress3(struct __sk_buff *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, long(struct __sk_buff *ctx));
} tail_programs SEC(".maps") = {
	.values = {
		[TAIL_CALL_EGRESS_2] = (void *)&egress2,
		[TAIL_CALL_EGRESS_3] = (void *)&egress3,
	},
};

__u32 ZERO = 0;

SEC("cgroup_skb/egress")
long egress3(struct __sk_buff *ctx)
{
	struct tail_context *ctx2 = bpf_map_lookup_elem(&tail_context_map, &ZERO);

	bpf_printk("[egress3] Someone called me");
	if (!ctx2)
		return SK_PASS;
	bpf_printk("[egress3] first=%d second=%d", ctx2->value_from_1, ctx2->value_from_2);
	ctx->mark = ctx2->value_from_1 << 8 | ctx2->value_from_2;
	return SK_PASS;
}

SEC("cgroup_skb/egress")
long egress2(struct __sk_buff *ctx)
{
	struct tail_context *ctx2 = bpf_map_lookup_elem(&tail_context_map, &ZERO);

	if (!ctx2)
		return SK_PASS;
	ctx2->value_from_2 = 22;
	bpf_printk("[egress2] Calling egress3");
	bpf_tail_call(ctx, &tail_programs, TAIL_CALL_EGRESS_3);
	ctx->mark = 0xdead;
	return SK_PASS;
}

SEC("cgroup_skb/egress")
long egress1(struct __sk_buff *ctx)
{
	struct tail_context *ctx2 = bpf_map_lookup_elem(&tail_context_map, &ZERO);

	if (!ctx2)
		return SK_PASS;
	__builtin_memset(ctx2, 0, sizeof(struct tail_context));
	ctx2->value_from_1 = 11;
	bpf_printk("[egress1] Calling egress2");
	bpf_tail_call(ctx, &tail_programs, TAIL_CALL_EGRESS_2);
	ctx->mark = 0xbeef;
	return 0;
}

char _license[] SEC("license") = "GPL";
