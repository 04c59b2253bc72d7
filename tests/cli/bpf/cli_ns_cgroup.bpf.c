/* Seed 004 by the CLI, the cgroup side: the same `flows` definition as
 * cli_ns_tc.bpf.c; adds 100 to slot 0 for every packet. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} flows SEC(".maps");

SEC("cgroup_skb/egress")
int cgroup_count(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *count = bpf_map_lookup_elem(&flows, &key);

	if (count)
		__sync_fetch_and_add(count, 100);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
