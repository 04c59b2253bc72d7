// expect: accept
// part: helpers
//
// A per-CPU hash: look up, create when missing, count.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("tc")
int percpu_counter(struct __sk_buff *skb)
{
	__u32 key = skb->protocol;
	__u64 one = 1, *v = bpf_map_lookup_elem(&counts, &key);

	if (v)
		*v += 1;
	else
		bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
