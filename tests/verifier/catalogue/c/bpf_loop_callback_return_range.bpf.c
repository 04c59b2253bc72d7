// expect: reject
// reason: At callback return the register R0 has smin=2 smax=2 should have been in [0, 1]
// part: returns
//
// A bpf_loop callback returns 0 (continue) or 1 (stop); 2 is refused.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static int bad_return(__u32 index, void *data)
{
	return 2;
}

SEC("socket")
int bpf_loop_callback_return_range(struct __sk_buff *skb)
{
	bpf_loop(4, bad_return, NULL, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
