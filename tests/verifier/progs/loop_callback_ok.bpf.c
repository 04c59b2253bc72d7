/* bpf_loop with a callback that returns 0 (go on): accepted. */
#include "helpers_common.h"

static long add_index(__u32 index, void *ctx)
{
	*(__u64 *)ctx += index;
	return 0;
}

SEC("tc")
int loop_sum(struct __sk_buff *skb)
{
	__u64 sum = 0;

	bpf_loop(8, add_index, &sum, 0);
	return sum == 28 ? 0 : 2;
}
