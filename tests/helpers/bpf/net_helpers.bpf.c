/* bpf_skb_adjust_room, bpf_skb_pull_data, bpf_skb_set_tunnel_key and
 * bpf_fib_lookup as BPF_PROG_TEST_RUN reports them: each program returns
 * the helper's answer (or, for the protocol case, skb->protocol after it);
 * test_net_helpers.c compares the answers and the packets out with the
 * kernel's. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define DECAP_L3_IPV4 (1ULL << 7) /* newer than some UAPI headers */
#define AF_INET 2
#define AF_INET6 10
#define ROOM(name, diff, mode, flags)                                                          \
	SEC("tc") int name(struct __sk_buff *skb)                                              \
	{                                                                                      \
		return bpf_skb_adjust_room(skb, diff, mode, flags);                            \
	}

ROOM(tc_room_grow_mac, 8, BPF_ADJ_ROOM_MAC, 0)
ROOM(tc_room_grow_net, 8, BPF_ADJ_ROOM_NET, 0)
ROOM(tc_room_ipip, 20, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4)
ROOM(tc_room_shrink_net, -8, BPF_ADJ_ROOM_NET, 0)
ROOM(tc_room_shrink_mac, -8, BPF_ADJ_ROOM_MAC, 0)
ROOM(tc_room_decap, -20, BPF_ADJ_ROOM_MAC, DECAP_L3_IPV4)
ROOM(tc_room_bad_flags, 8, BPF_ADJ_ROOM_MAC, 1ULL << 20)
ROOM(tc_room_too_far, 0x1000, BPF_ADJ_ROOM_MAC, 0)
ROOM(tc_room_bad_mode, 8, 7, 0)
ROOM(tc_room_shrink_too_much, -40, BPF_ADJ_ROOM_NET, 0)
ROOM(tc_room_decap_grow, 8, BPF_ADJ_ROOM_MAC, DECAP_L3_IPV4)
ROOM(tc_room_encap_both, 20, BPF_ADJ_ROOM_MAC,
     BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L3_IPV6)
ROOM(tc_room_shrink_encap, -8, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4)
ROOM(tc_room_l2_too_long, 20, BPF_ADJ_ROOM_MAC,
     BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L2(30))

SEC("tc") int tc_room_encap6_protocol(struct __sk_buff *skb)
{
	if (bpf_skb_adjust_room(skb, 40, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV6))
		return 1;
	return skb->protocol;
}

SEC("tc") int tc_pull_all(struct __sk_buff *skb) { return bpf_skb_pull_data(skb, 0); }
SEC("tc") int tc_pull_past_end(struct __sk_buff *skb) { return bpf_skb_pull_data(skb, 4000); }

static __always_inline int tunnel_key(struct __sk_buff *skb, __u32 size, __u32 label,
				      __u64 flags)
{
	struct bpf_tunnel_key key = { .tunnel_id = 7, .remote_ipv4 = bpf_htonl(0x0a000001),
				      .tunnel_ttl = 64, .tunnel_label = label };

	return bpf_skb_set_tunnel_key(skb, &key, size, flags);
}

SEC("tc") int tc_tunnel_key(struct __sk_buff *skb)
{
	return tunnel_key(skb, sizeof(struct bpf_tunnel_key), 0, BPF_F_ZERO_CSUM_TX);
}

SEC("tc") int tc_tunnel_key_old_layout(struct __sk_buff *skb)
{
	return tunnel_key(skb, __builtin_offsetof(struct bpf_tunnel_key, tunnel_label), 0, 0);
}

SEC("tc") int tc_tunnel_key_bad_size(struct __sk_buff *skb) { return tunnel_key(skb, 20, 0, 0); }
SEC("tc") int tc_tunnel_key_label_v4(struct __sk_buff *skb)
{
	return tunnel_key(skb, sizeof(struct bpf_tunnel_key), 5, 0);
}

SEC("tc") int tc_tunnel_key_bad_flags(struct __sk_buff *skb)
{
	return tunnel_key(skb, sizeof(struct bpf_tunnel_key), 0, 1ULL << 9);
}

static __always_inline int fib(void *ctx, __u8 family, __u32 ifindex, int plen, __u32 flags)
{
	struct bpf_fib_lookup params = { .family = family, .ifindex = ifindex,
					 .ipv4_dst = bpf_htonl(0x7f000001),
					 .ipv4_src = bpf_htonl(0x7f000001) };

	if (family == AF_INET6) { /* ::1 (ipv4_dst overlays ipv6_dst[0]) */
		params.ipv6_dst[0] = 0;
		params.ipv6_src[0] = 0;
		params.ipv6_dst[3] = bpf_htonl(1);
		params.ipv6_src[3] = bpf_htonl(1);
	}
	return bpf_fib_lookup(ctx, &params, plen, flags);
}

#define FIB(name, family, ifindex, plen, flags)                                                \
	SEC("xdp") int xdp_##name(struct xdp_md *ctx)                                          \
	{                                                                                      \
		return fib(ctx, family, ifindex, plen, flags);                                 \
	}                                                                                      \
	SEC("tc") int tc_##name(struct __sk_buff *skb)                                         \
	{                                                                                      \
		return fib(skb, family, ifindex, plen, flags);                                 \
	}

FIB(fib_no_family, 0, 1, sizeof(struct bpf_fib_lookup), 0)
FIB(fib_short, AF_INET, 1, sizeof(struct bpf_fib_lookup) - 4, 0)
FIB(fib_bad_flags, AF_INET, 1, sizeof(struct bpf_fib_lookup), 1U << 10)
FIB(fib_no_device, AF_INET, 0x7fffff, sizeof(struct bpf_fib_lookup), 0)
FIB(fib_loopback4, AF_INET, 1, sizeof(struct bpf_fib_lookup), 0)
FIB(fib_loopback6, AF_INET6, 1, sizeof(struct bpf_fib_lookup), 0)

char LICENSE[] SEC("license") = "GPL";
