/* A callback passed to a helper: lddw BPF_PSEUDO_FUNC of a static function. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static long add_index(__u32 index, void *ctx)
{
	*(__u64 *)ctx += index;
	return 0;
}

SEC("tc")
int with_loop(struct __sk_buff *skb)
{
	__u64 sum = 0;

	bpf_loop(4, add_index, &sum, 0);
	return (int)sum;
}

char LICENSE[] SEC("license") = "GPL";
