// expect: reject
// reason: At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]
// part: returns
//
// cgroup_skb ingress returns 0 (drop) or 1 (pass); a value of 2 is refused.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("cgroup_skb/ingress")
int cgroup_skb_returns_2(struct __sk_buff *skb)
{
	return skb->len > 100 ? 2 : 1;
}

char LICENSE[] SEC("license") = "GPL";
