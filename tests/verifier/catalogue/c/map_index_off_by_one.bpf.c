// expect: reject
// reason: R0 max value is outside of the allowed memory range
// part: scalars
//
// The classic off-by-one: idx <= 8 for an array of 8.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct value {
	__u32 slots[8];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct value);
} table SEC(".maps");

SEC("socket")
int map_index_off_by_one(struct __sk_buff *skb)
{
	__u32 key = 0, idx = skb->len;
	struct value *v = bpf_map_lookup_elem(&table, &key);

	if (!v || idx > 8)
		return 0;
	return v->slots[idx];
}

char LICENSE[] SEC("license") = "GPL";
