/* For the .BTF.ext rules test: a program, two subprograms in .text and a
 * global (an lddw whose second half a line record must not name). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int counter;

static __attribute__((noinline)) int twice(int x)
{
	counter += x;
	return x * 2;
}

static __attribute__((noinline)) int thrice(int x)
{
	int y = x * x * 3 + (x >> 2);

	return y + counter;
}

SEC("tc")
int ext_rules(struct __sk_buff *skb)
{
	int v = skb->len;

	v = twice(v);
	v = thrice(v);
	return v & 1;
}

char LICENSE[] SEC("license") = "GPL";
