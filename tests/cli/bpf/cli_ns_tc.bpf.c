/* Seed 004 by the CLI, the tc side: counts packets in slot 0 of `flows`
 * (a map without pinning: the CLI shares it with pinmaps and `map name
 * flows pinned P`) and returns the count it found, so that a run shows
 * the other program's writes. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} flows SEC(".maps");

SEC("tc")
int tc_count(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *count = bpf_map_lookup_elem(&flows, &key);

	if (!count)
		return -1;
	return (int)__sync_fetch_and_add(count, 1);
}

char LICENSE[] SEC("license") = "GPL";
