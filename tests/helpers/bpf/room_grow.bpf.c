/* bpf_skb_adjust_room's grow path (bpf_skb_net_grow) where one call
 * depends on the one before (an encapsulated skb refuses a second
 * encapsulation) or the packet is shorter than the offset it grows at.
 * Each program returns the last helper's answer; test_room_grow.c compares
 * answers and packets with the kernel's. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define DECAP_L3_IPV4 (1ULL << 7) /* newer than some UAPI headers */
#define IPIP BPF_F_ADJ_ROOM_ENCAP_L3_IPV4

static __always_inline int twice(struct __sk_buff *skb, __s32 d1, __u64 f1, __s32 d2, __u64 f2)
{
	int err = bpf_skb_adjust_room(skb, d1, BPF_ADJ_ROOM_MAC, f1);

	return err ? 1000 + err : bpf_skb_adjust_room(skb, d2, BPF_ADJ_ROOM_MAC, f2);
}

SEC("tc") int encap_twice(struct __sk_buff *skb) { return twice(skb, 20, IPIP, 20, IPIP); }

SEC("tc") int encap_then_grow(struct __sk_buff *skb) { return twice(skb, 20, IPIP, 8, 0); }

SEC("tc") int grow_then_encap(struct __sk_buff *skb) { return twice(skb, 8, 0, 20, IPIP); }

SEC("tc") int encap_gre_twice(struct __sk_buff *skb)
{
	return twice(skb, 24, IPIP | BPF_F_ADJ_ROOM_ENCAP_L4_GRE, 20, IPIP);
}

/* A second encapsulation with flags that are wrong anyway: which check
 * answers first. */
SEC("tc") int encap_twice_both_l3(struct __sk_buff *skb)
{
	return twice(skb, 20, IPIP, 20, IPIP | BPF_F_ADJ_ROOM_ENCAP_L3_IPV6);
}

SEC("tc") int encap_decap_encap(struct __sk_buff *skb)
{
	int err = twice(skb, 20, IPIP, -20, DECAP_L3_IPV4);

	return err ? 2000 + err : bpf_skb_adjust_room(skb, 20, BPF_ADJ_ROOM_MAC, IPIP);
}

SEC("tc") int grow_net(struct __sk_buff *skb)
{
	return bpf_skb_adjust_room(skb, 8, BPF_ADJ_ROOM_NET, 0);
}

SEC("tc") int grow_mac(struct __sk_buff *skb)
{
	return bpf_skb_adjust_room(skb, 8, BPF_ADJ_ROOM_MAC, 0);
}

SEC("tc") int encap_net(struct __sk_buff *skb)
{
	return bpf_skb_adjust_room(skb, 20, BPF_ADJ_ROOM_NET, IPIP);
}

char LICENSE[] SEC("license") = "GPL";
