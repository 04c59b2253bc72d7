/* Same program type, different expected attach types: an array that a
 * cgroup_skb/egress program references cannot take a cgroup_skb/ingress
 * program (SEMANTICS.md: observed in the kernel). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int ingress_target(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__array(values, int(void *));
} jumps SEC(".maps") = {
	.values = { [0] = (void *)&ingress_target },
};

SEC("cgroup_skb/egress")
int egress_entry(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jumps, 0);
	return 1;
}

SEC("cgroup_skb/ingress")
int ingress_target(struct __sk_buff *skb)
{
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
