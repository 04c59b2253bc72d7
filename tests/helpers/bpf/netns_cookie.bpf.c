/* bpf_get_netns_cookie in tc, whose skb variant takes the context: the low
 * and high halves of the cookie as the return value (BPF_PROG_TEST_RUN
 * reports 32 bits). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tc") int cookie_lo(struct __sk_buff *skb) { return (__u32)bpf_get_netns_cookie(skb); }
SEC("tc") int cookie_hi(struct __sk_buff *skb) { return bpf_get_netns_cookie(skb) >> 32; }

char LICENSE[] SEC("license") = "GPL";
