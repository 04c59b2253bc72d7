/* A tc program and an XDP program that both reference one prog array: the
 * first to load owns it, and the other is refused at load with EINVAL
 * (SEMANTICS.md: PROG_ARRAY maps, owner rule), so the object does not load. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} shared_jmp SEC(".maps");

SEC("tc")
int tc_user(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &shared_jmp, 0);
	return 1;
}

SEC("xdp")
int xdp_user(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &shared_jmp, 0);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
