/* A map without pinning, for explicit reuse (bpfvm_object_reuse_map,
 * bpfvm_object_set_pin_path): the program writes 7 into slot 2. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} plain_counts SEC(".maps");

SEC("tc")
int tc_plain(struct __sk_buff *skb)
{
	__u32 key = 2;
	__u64 seven = 7;

	bpf_map_update_elem(&plain_counts, &key, &seven, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
