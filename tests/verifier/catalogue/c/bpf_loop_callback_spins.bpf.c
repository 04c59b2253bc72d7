// expect: reject
// reason: infinite loop detected at insn 15
// part: walk
//
// A callback of bpf_loop that waits for a value nothing changes: an
// infinite loop within one call of the callback, whatever the helper does.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct wait_ctx {
	__u32 limit;
};

static int wait_for_limit(__u32 index, void *data)
{
	struct wait_ctx *wc = data;

	while (index < *(volatile __u32 *)&wc->limit)
		;
	return 0;
}

SEC("socket")
int bpf_loop_callback_spins(struct __sk_buff *skb)
{
	struct wait_ctx wc = { .limit = skb->len & 15 };

	bpf_loop(4, wait_for_limit, &wc, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
