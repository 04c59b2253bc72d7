/* Unsafe: a store into .rodata (frozen, BPF_F_RDONLY_PROG). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 threshold = 100;

SEC("tc")
int write_rodata(struct __sk_buff *skb)
{
	*(volatile __u32 *)&threshold = skb->len;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
