/* Unsafe: a word read 16 bytes into a 16-byte map value. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64[2]);
} values SEC(".maps");

SEC("tc")
int read_past_value(struct __sk_buff *skb)
{
	__u32 key = skb->mark & 3;
	char *v = bpf_map_lookup_elem(&values, &key);

	if (!v)
		return 0;
	return *(__u32 *)(v + 16);
}

char LICENSE[] SEC("license") = "GPL";
