/* A prog array that an XDP program references (its owner), initialised
 * statically with an XDP program and a tc program: filling slot [1] with the
 * tc program breaks the owner rule, as the kernel's update would. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int xdp_target(struct xdp_md *ctx);
int tc_target(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__array(values, int(void *));
} jumps SEC(".maps") = {
	.values = { [0] = (void *)&xdp_target, [1] = (void *)&tc_target },
};

SEC("xdp")
int xdp_entry(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jumps, 0);
	return XDP_PASS;
}

SEC("xdp")
int xdp_target(struct xdp_md *ctx)
{
	return XDP_TX;
}

SEC("tc")
int tc_target(struct __sk_buff *skb)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
