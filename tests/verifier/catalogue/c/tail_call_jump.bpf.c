// expect: accept
// part: helpers
//
// bpf_tail_call through a prog array, with the context in r1.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} jumps SEC(".maps");

SEC("tc")
int tail_call_jump(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jumps, skb->mark & 3);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
