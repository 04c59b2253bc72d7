// expect: reject
// reason: R0 invalid mem access 'map_value_or_null'
// part: memory
//
// A hash lookup used without checking for NULL.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} values SEC(".maps");

SEC("socket")
int missing_null_check(struct __sk_buff *skb)
{
	__u32 key = skb->len;
	__u64 *v = bpf_map_lookup_elem(&values, &key);

	return *v;
}

char LICENSE[] SEC("license") = "GPL";
