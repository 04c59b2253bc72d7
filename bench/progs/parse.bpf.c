/* Packet parsing with a bounds check before every header: Ethernet, up to
 * two VLAN tags, IPv4 (with options) or IPv6, then TCP or UDP. The return
 * value packs what was found, so that a wrong branch anywhere shows; the
 * action part of it is not an XDP action (test runs return it as is). */
#include "bench_common.h"

struct parsed {
	__u32 l3, l4, vlan, sport, dport, extra;
};

static __always_inline int parse_l4(void *l4, void *end, __u8 proto, struct parsed *out)
{
	out->l4 = proto;
	if (proto == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;

		if ((void *)(tcp + 1) > end)
			return -1;
		out->sport = bpf_ntohs(tcp->source);
		out->dport = bpf_ntohs(tcp->dest);
		out->extra = (tcp->syn << 1 | tcp->ack) ^ bpf_ntohl(tcp->seq);
		return 0;
	}
	if (proto == IPPROTO_UDP) {
		struct udphdr *udp = l4;

		if ((void *)(udp + 1) > end)
			return -1;
		out->sport = bpf_ntohs(udp->source);
		out->dport = bpf_ntohs(udp->dest);
		out->extra = bpf_ntohs(udp->len);
		return 0;
	}
	return 0;
}

static __always_inline int parse_ipv4(void *l3, void *end, struct parsed *out)
{
	struct iphdr *ip = l3;
	__u32 hdr_len;

	if ((void *)(ip + 1) > end)
		return -1;
	hdr_len = ip->ihl * 4;
	if (hdr_len < sizeof(*ip) || l3 + hdr_len > end)
		return -1;
	out->l3 = 4;
	out->extra ^= bpf_ntohl(ip->saddr) ^ bpf_ntohl(ip->daddr);
	if (ip->frag_off & bpf_htons(0x3fff))
		return 0; /* a fragment: no L4 header to read */
	return parse_l4(l3 + hdr_len, end, ip->protocol, out);
}

static __always_inline int parse_ipv6(void *l3, void *end, struct parsed *out)
{
	struct ipv6hdr *ip6 = l3;

	if ((void *)(ip6 + 1) > end)
		return -1;
	out->l3 = 6;
	out->extra ^= bpf_ntohl(ip6->saddr.in6_u.u6_addr32[3]) ^
		      bpf_ntohl(ip6->daddr.in6_u.u6_addr32[3]);
	return parse_l4(ip6 + 1, end, ip6->nexthdr, out);
}

SEC("xdp")
int xdp_parse(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct parsed out = {};
	struct ethhdr *eth = data;
	void *cursor = eth + 1;
	__u16 proto;
	int err = -1;

	if (cursor > end)
		return 0xdead;
	proto = eth->h_proto;
	for (int i = 0; i < 2; i++) {
		struct vlan_hdr *vlan = cursor;

		if (proto != bpf_htons(ETH_P_8021Q))
			break;
		if ((void *)(vlan + 1) > end)
			return 0xdead;
		out.vlan = out.vlan << 12 | (bpf_ntohs(vlan->tci) & 0xfff);
		proto = vlan->encapsulated_proto;
		cursor = vlan + 1;
	}
	if (proto == bpf_htons(ETH_P_IP))
		err = parse_ipv4(cursor, end, &out);
	else if (proto == bpf_htons(ETH_P_IPV6))
		err = parse_ipv6(cursor, end, &out);
	if (err)
		return 0xbad;
	return (out.l3 << 28 | out.l4 << 20 | out.vlan) ^ (out.sport << 16 | out.dport) ^ out.extra;
}

char _license[] SEC("license") = "GPL";
