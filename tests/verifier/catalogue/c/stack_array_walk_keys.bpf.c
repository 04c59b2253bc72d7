// expect: accept
// part: walk
//
// Keys read by walking an array on the stack with a pointer that clang
// steps by 4 (r7 += 4): each round the pointer's offset is a constant, so
// the kernel follows every round.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("socket")
int stack_array_walk_keys(struct __sk_buff *skb)
{
	__u32 keys[8];
	__u64 total = 0;

	for (int i = 0; i < 8; i++)
		keys[i] = (skb->len + i) & 15;
#pragma clang loop unroll(disable)
	for (int i = 0; i < 8; i++) {
		__u64 *count = bpf_map_lookup_elem(&counts, &keys[i]);

		if (count)
			total += *count;
	}
	return total & 1;
}

char LICENSE[] SEC("license") = "GPL";
