// expect: reject
// reason: invalid read from stack R2 off=0 size=8
// part: memory
//
// A bpf_loop callback reading past the 8-byte stack object its caller
// passed as the context.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static int overread(__u32 index, void *data)
{
	return ((volatile __u64 *)data)[1] != 0;
}

SEC("socket")
int bpf_loop_callback_overread(struct __sk_buff *skb)
{
	__u64 value = skb->len;

	bpf_loop(4, overread, &value, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
