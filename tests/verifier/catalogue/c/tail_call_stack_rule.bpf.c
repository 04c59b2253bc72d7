// expect: reject
// reason: tail_calls are not allowed when call stack of previous frames is 304 bytes. Too large
// part: walk
//
// A tail call in a subprogram whose caller's frame holds more than 256
// bytes: the kernel refuses the combination (the tail-call stack rule).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} jumps SEC(".maps");

static __attribute__((noinline)) int jump(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jumps, 0);
	return skb->len;
}

SEC("tc")
int tail_call_stack_rule(struct __sk_buff *skb)
{
	char buf[300];

	if (bpf_skb_load_bytes(skb, 0, buf, sizeof(buf)))
		return 0;
	return jump(skb) + buf[0] + buf[299];
}

char LICENSE[] SEC("license") = "GPL";
