/* The same map name as ns_tc_counter's, with 8 entries instead of 4: its
 * load must fail on the pinned map (parameter mismatch), never make a
 * second map. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shared_counts SEC(".maps");

SEC("tc")
int tc_mismatch(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *count = bpf_map_lookup_elem(&shared_counts, &key);

	return count ? 0 : 2;
}

char LICENSE[] SEC("license") = "GPL";
