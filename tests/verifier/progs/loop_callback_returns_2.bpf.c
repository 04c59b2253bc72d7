/* A bpf_loop callback may return 0 (go on) or 1 (stop): 2 is refused. */
#include "helpers_common.h"

static long bad_verdict(__u32 index, void *ctx)
{
	return 2;
}

SEC("tc")
int loop_bad_callback(struct __sk_buff *skb)
{
	bpf_loop(8, bad_verdict, NULL, 0);
	return 0;
}
