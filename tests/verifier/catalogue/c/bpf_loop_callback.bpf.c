// expect: accept
// part: helpers
//
// bpf_loop with a callback that writes its caller's stack through the
// context pointer and stops early by returning 1.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct loop_ctx {
	__u64 sum;
	__u32 limit;
};

static int add_index(__u32 index, void *data)
{
	struct loop_ctx *lc = data;

	lc->sum += index;
	return index >= lc->limit;
}

SEC("socket")
int bpf_loop_callback(struct __sk_buff *skb)
{
	struct loop_ctx lc = { .sum = 0, .limit = skb->len & 15 };

	bpf_loop(64, add_index, &lc, 0);
	return lc.sum;
}

char LICENSE[] SEC("license") = "GPL";
