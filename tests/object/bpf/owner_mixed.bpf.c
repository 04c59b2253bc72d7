/* Two programs of different types reference one prog array: the first to
 * load (tc_entry, sched_cls) becomes its owner, the second (xdp_entry) is
 * refused with EINVAL (SEMANTICS.md: PROG_ARRAY maps, owner rule). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} jumps SEC(".maps");

SEC("tc")
int tc_entry(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jumps, 0);
	return 0;
}

SEC("xdp")
int xdp_entry(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jumps, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
