// expect: accept
// part: walk
//
// Static subprograms kept out of line: a stack buffer passed down two
// levels and filled there.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) int fill(__u32 *buf, __u32 n)
{
	buf[0] = n;
	buf[1] = n * 2;
	return 0;
}

static __attribute__((noinline)) int twice(__u32 *buf, __u32 n)
{
	fill(buf, n);
	fill(buf + 2, n + 1);
	return buf[0] + buf[3];
}

SEC("socket")
int subprog_noinline(struct __sk_buff *skb)
{
	__u32 buf[4];

	return twice(buf, skb->len);
}

char LICENSE[] SEC("license") = "GPL";
