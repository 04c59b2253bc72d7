/* A cgroup_skb program that shares ns_tc_counter's map, pinned by name:
 * seed 004's second loader. It adds 100 to slot 0 for every packet. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shared_counts SEC(".maps");

SEC("cgroup_skb/egress")
int cgroup_count(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *count = bpf_map_lookup_elem(&shared_counts, &key);

	if (count)
		__sync_fetch_and_add(count, 100);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
