// expect: accept
// part: memory
//
// .rodata read (const volatile), .bss counter updated atomically, .data
// written: direct map value addresses of three kinds.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 threshold = 100;
__u64 packets;
__u32 last_len = 1;

SEC("tc")
int global_data(struct __sk_buff *skb)
{
	__sync_fetch_and_add(&packets, 1);
	last_len = skb->len;
	return skb->len > threshold;
}

char LICENSE[] SEC("license") = "GPL";
