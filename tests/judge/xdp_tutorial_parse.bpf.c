/* xdp-tutorial style (packet01-parsing, packet03-redirecting minus the
 * redirect): VLAN-aware parsing, per-action statistics in a PERCPU_ARRAY,
 * dropping ICMP echo requests with even sequence numbers, and answering an
 * ICMP echo request in place (MAC/IP swap, incremental checksum with
 * bpf_csum_diff). */
#include "parsing_helpers.h"

#ifndef XDP_ACTION_MAX
#define XDP_ACTION_MAX (XDP_REDIRECT + 1)
#endif

struct datarec {
	__u64 rx_packets;
	__u64 rx_bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct datarec);
	__uint(max_entries, XDP_ACTION_MAX);
} xdp_stats_map SEC(".maps");

static __always_inline __u32 xdp_stats_record_action(struct xdp_md *ctx, __u32 action)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct datarec *rec;

	if (action >= XDP_ACTION_MAX)
		return XDP_ABORTED;
	rec = bpf_map_lookup_elem(&xdp_stats_map, &action);
	if (!rec)
		return XDP_ABORTED;
	rec->rx_packets++;
	rec->rx_bytes += (data_end - data);
	return action;
}

SEC("xdp")
int xdp_parser_func(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor nh = { .pos = data };
	struct collect_vlans vlans = {};
	struct ethhdr *eth;
	struct iphdr *iph;
	struct ipv6hdr *ip6h;
	struct icmphdr *icmph;
	struct icmp6hdr *icmp6h;
	__u32 action = XDP_PASS;
	int eth_type, ip_type;

	eth_type = parse_ethhdr_vlan(&nh, data_end, &eth, &vlans);
	if (eth_type == bpf_htons(ETH_P_IP)) {
		ip_type = parse_iphdr(&nh, data_end, &iph);
		if (ip_type != IPPROTO_ICMP)
			goto out;
		if (parse_icmphdr(&nh, data_end, &icmph) != ICMP_ECHO)
			goto out;
		if (bpf_ntohs(icmph->un.echo.sequence) % 2 == 0)
			action = XDP_DROP;
	} else if (eth_type == bpf_htons(ETH_P_IPV6)) {
		ip_type = parse_ip6hdr(&nh, data_end, &ip6h);
		if (ip_type != IPPROTO_ICMPV6)
			goto out;
		if (parse_icmp6hdr(&nh, data_end, &icmp6h) != ICMPV6_ECHO_REQUEST)
			goto out;
		if (bpf_ntohs(icmp6h->icmp6_sequence) % 2 == 0)
			action = XDP_DROP;
	} else if (eth_type < 0) {
		action = XDP_ABORTED;
	}
	/* VLAN 100 is quarantined whatever it carries. */
	if (vlans.id[0] == 100 || vlans.id[1] == 100)
		action = XDP_DROP;
out:
	return xdp_stats_record_action(ctx, action);
}

static __always_inline __u16 csum_fold_helper(__u32 csum)
{
	__u32 sum;

	sum = (csum >> 16) + (csum & 0xffff);
	sum += (sum >> 16);
	return ~sum;
}

static __always_inline void swap_src_dst_mac(struct ethhdr *eth)
{
	__u8 h_tmp[ETH_ALEN];

	__builtin_memcpy(h_tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, h_tmp, ETH_ALEN);
}

SEC("xdp")
int xdp_icmp_echo(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor nh = { .pos = data };
	struct ethhdr *eth;
	struct iphdr *iph;
	struct ipv6hdr *ip6h;
	struct icmphdr *icmph, icmph_old;
	struct icmp6hdr *icmp6h;
	__u32 action = XDP_PASS;
	__be32 tmp_ip;
	struct in6_addr tmp6;
	__u16 old_csum;
	int eth_type;

	eth_type = parse_ethhdr(&nh, data_end, &eth);
	if (eth_type == bpf_htons(ETH_P_IP)) {
		if (parse_iphdr(&nh, data_end, &iph) != IPPROTO_ICMP)
			goto out;
		if (parse_icmphdr(&nh, data_end, &icmph) != ICMP_ECHO)
			goto out;
		tmp_ip = iph->saddr;
		iph->saddr = iph->daddr;
		iph->daddr = tmp_ip;
		old_csum = icmph->checksum;
		icmph->checksum = 0;
		icmph_old = *icmph;
		icmph->type = ICMP_ECHOREPLY;
		icmph->checksum = csum_fold_helper(
			bpf_csum_diff((__be32 *)&icmph_old, sizeof(icmph_old), (__be32 *)icmph,
				      sizeof(*icmph), ~((__u32)old_csum)));
	} else if (eth_type == bpf_htons(ETH_P_IPV6)) {
		if (parse_ip6hdr(&nh, data_end, &ip6h) != IPPROTO_ICMPV6)
			goto out;
		if (parse_icmp6hdr(&nh, data_end, &icmp6h) != ICMPV6_ECHO_REQUEST)
			goto out;
		tmp6 = ip6h->saddr;
		ip6h->saddr = ip6h->daddr;
		ip6h->daddr = tmp6;
		/* type 128 -> 129: the checksum drops by one in the high byte. */
		icmp6h->icmp6_type = ICMPV6_ECHO_REPLY;
		icmp6h->icmp6_cksum -= bpf_htons(0x0100);
	} else {
		goto out;
	}
	swap_src_dst_mac(eth);
	action = XDP_TX;
out:
	return xdp_stats_record_action(ctx, action);
}

/* packet02: pop the outer VLAN tag if there is one, otherwise push VLAN 7. */
SEC("xdp")
int xdp_vlan_swap(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data, eth_cpy;
	struct vlan_hdr *vlh;

	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(&eth_cpy, eth, sizeof(eth_cpy));

	if (proto_is_vlan(eth->h_proto)) {
		vlh = (void *)(eth + 1);
		if ((void *)(vlh + 1) > data_end)
			return XDP_ABORTED;
		eth_cpy.h_proto = vlh->h_vlan_encapsulated_proto;
		if (bpf_xdp_adjust_head(ctx, (int)sizeof(*vlh)))
			return XDP_ABORTED;
		data_end = (void *)(long)ctx->data_end;
		eth = (void *)(long)ctx->data;
		if ((void *)(eth + 1) > data_end)
			return XDP_ABORTED;
		__builtin_memcpy(eth, &eth_cpy, sizeof(*eth));
		return XDP_PASS;
	}

	if (bpf_xdp_adjust_head(ctx, 0 - (int)sizeof(*vlh)))
		return XDP_ABORTED;
	data_end = (void *)(long)ctx->data_end;
	eth = (void *)(long)ctx->data;
	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(eth, &eth_cpy, sizeof(*eth));
	vlh = (void *)(eth + 1);
	if ((void *)(vlh + 1) > data_end)
		return XDP_ABORTED;
	vlh->h_vlan_TCI = bpf_htons(7);
	vlh->h_vlan_encapsulated_proto = eth->h_proto;
	eth->h_proto = bpf_htons(ETH_P_8021Q);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
