// expect: accept
// part: walk
//
// A bounded loop over an array inside a map value, as clang compiles a
// plain for loop (not unrolled).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct value {
	__u32 words[32];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct value);
} values SEC(".maps");

SEC("socket")
int loop_sum_map_value(struct __sk_buff *skb)
{
	__u32 key = skb->len & 3, sum = 0;
	struct value *v = bpf_map_lookup_elem(&values, &key);

	if (!v)
		return 0;
#pragma clang loop unroll(disable)
	for (int i = 0; i < 32; i++)
		sum += v->words[i];
	return sum;
}

char LICENSE[] SEC("license") = "GPL";
