// expect: reject
// reason: write into map forbidden, value_size=4 off=0 size=4
// part: memory
//
// A const volatile global (.rodata, frozen and read-only for the program)
// written through a cast.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 limit = 10;

SEC("tc")
int rodata_const_volatile_write(struct __sk_buff *skb)
{
	*(volatile __u32 *)&limit = skb->len;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
