// expect: reject
// reason: R0 unbounded memory access, make sure to bounds check any such access
// part: scalars
//
// An index from the context used in a map value's array without a check.
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
int map_index_unchecked(struct __sk_buff *skb)
{
	__u32 key = 0, idx = skb->len;
	struct value *v = bpf_map_lookup_elem(&table, &key);

	if (!v)
		return 0;
	return v->slots[idx];
}

char LICENSE[] SEC("license") = "GPL";
