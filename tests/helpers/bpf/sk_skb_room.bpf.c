/* bpf_skb_adjust_room from a stream verdict program: sk_skb_func_proto's
 * sk_skb_adjust_room (test_sk_skb_room.c). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("sk_skb/stream_verdict")
int sk_skb_room(struct __sk_buff *skb)
{
	if (bpf_skb_adjust_room(skb, -4, 0, 0))
		return SK_DROP;
	return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
