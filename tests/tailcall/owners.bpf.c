/* Programs of several types that user space inserts into prog arrays, to
 * exercise the owner rule (SEMANTICS.md: PROG_ARRAY maps). None of them
 * references a prog array, so the first one inserted becomes the owner. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int tc_a(struct __sk_buff *skb)
{
	return 1;
}

SEC("tc")
int tc_b(struct __sk_buff *skb)
{
	return 2;
}

SEC("xdp")
int xdp_a(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("cgroup_skb/ingress")
int cg_ingress(struct __sk_buff *skb)
{
	return 1;
}

SEC("cgroup_skb/egress")
int cg_egress(struct __sk_buff *skb)
{
	return 1;
}

char _license[] SEC("license") = "GPL";
