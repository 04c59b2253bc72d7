/* A katran-like L4 load balancer, cut down: VIPs and reals come from global
 * data, a consistent-hash ring picks the real for a flow, an LRU map
 * remembers the choice, per-VIP counters live in a PERCPU_ARRAY, and the
 * packet is IPIP-encapsulated with bpf_xdp_adjust_head and sent back out
 * with XDP_TX, with the outer header's checksum computed by a loop (katran's
 * ipv4_csum_inline). */
#include "parsing_helpers.h"

#define MAX_VIPS 4
#define RING_SIZE 16
#define MAX_REALS 4

struct vip_definition {
	__be32 vip;
	__be16 port;
	__u8 proto;
	__u8 pad;
};

struct real_definition {
	__be32 dst;
	__u8 mac[ETH_ALEN];
	__u8 pad[2];
};

struct flow_key {
	__be32 src;
	__be32 dst;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct lb_stats {
	__u64 packets;
	__u64 bytes;
};

/* 10.0.0.2:53/udp and 10.0.0.2:80/tcp are served. */
const volatile struct vip_definition vips[MAX_VIPS] = {
	{ .vip = bpf_htonl(0x0a000002), .port = bpf_htons(53), .proto = IPPROTO_UDP },
	{ .vip = bpf_htonl(0x0a000002), .port = bpf_htons(80), .proto = IPPROTO_TCP },
};
const volatile __be32 lb_source_ip = bpf_htonl(0xac100001); /* 172.16.0.1 */

struct real_definition reals[MAX_REALS] = {
	{ .dst = bpf_htonl(0xac100a01), .mac = { 0x02, 0, 0, 0, 0x0a, 0x01 } },
	{ .dst = bpf_htonl(0xac100a02), .mac = { 0x02, 0, 0, 0, 0x0a, 0x02 } },
	{ .dst = bpf_htonl(0xac100a03), .mac = { 0x02, 0, 0, 0, 0x0a, 0x03 } },
};

__u32 ch_ring[RING_SIZE] = { 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 1 };

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct flow_key);
	__type(value, __u32);
	__uint(max_entries, 128);
} lru_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct lb_stats);
	__uint(max_entries, MAX_VIPS);
} vip_stats SEC(".maps");

static __always_inline __u32 rol32(__u32 word, unsigned int shift)
{
	return (word << shift) | (word >> ((-shift) & 31));
}

/* jhash_3words, as the kernel's jhash.h spells it. */
static __always_inline __u32 jhash_3words(__u32 a, __u32 b, __u32 c, __u32 initval)
{
	a += 0xdeadbeef + initval + 12;
	b += 0xdeadbeef + initval + 12;
	c += 0xdeadbeef + initval + 12;
	c ^= b; c -= rol32(b, 14);
	a ^= c; a -= rol32(c, 11);
	b ^= a; b -= rol32(a, 25);
	c ^= b; c -= rol32(b, 16);
	a ^= c; a -= rol32(c, 4);
	b ^= a; b -= rol32(a, 14);
	c ^= b; c -= rol32(b, 24);
	return c;
}

static __always_inline __u16 csum_fold_helper(__u64 csum)
{
	int i;

#pragma unroll
	for (i = 0; i < 4; i++) {
		if (csum >> 16)
			csum = (csum & 0xffff) + (csum >> 16);
	}
	return ~csum;
}

static __always_inline void ipv4_csum_inline(void *iph, __u64 *csum)
{
	__u16 *next_iph_u16 = (__u16 *)iph;
	int i;

#pragma clang loop unroll(full)
	for (i = 0; i < (int)(sizeof(struct iphdr) >> 1); i++)
		*csum += *next_iph_u16++;
	*csum = csum_fold_helper(*csum);
}

static __noinline int find_vip(struct flow_key *flow)
{
	int i;

	for (i = 0; i < MAX_VIPS; i++) {
		if (vips[i].vip == flow->dst && vips[i].port == flow->dport &&
		    vips[i].proto == flow->proto)
			return i;
	}
	return -1;
}

static __always_inline int encap_ipip(struct xdp_md *ctx, struct real_definition *real,
				      __u16 inner_len)
{
	struct ethhdr *new_eth, *old_eth;
	struct iphdr *iph;
	void *data, *data_end;
	__u64 csum = 0;

	if (bpf_xdp_adjust_head(ctx, 0 - (int)sizeof(struct iphdr)))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	new_eth = data;
	iph = data + sizeof(struct ethhdr);
	old_eth = data + sizeof(struct iphdr);
	if ((void *)(new_eth + 1) > data_end || (void *)(old_eth + 1) > data_end ||
	    (void *)(iph + 1) > data_end)
		return -1;
	__builtin_memcpy(new_eth->h_source, old_eth->h_dest, ETH_ALEN);
	__builtin_memcpy(new_eth->h_dest, real->mac, ETH_ALEN);
	new_eth->h_proto = bpf_htons(ETH_P_IP);

	iph->version = 4;
	iph->ihl = 5;
	iph->frag_off = 0;
	iph->protocol = IPPROTO_IPIP;
	iph->check = 0;
	iph->tos = 0;
	iph->tot_len = bpf_htons(inner_len + sizeof(struct iphdr));
	iph->id = 0;
	iph->daddr = real->dst;
	iph->saddr = lb_source_ip;
	iph->ttl = 64;
	ipv4_csum_inline(iph, &csum);
	iph->check = csum;
	return 0;
}

SEC("xdp")
int balancer_ingress(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor nh = { .pos = data };
	struct flow_key flow = {};
	struct ethhdr *eth;
	struct iphdr *iph;
	struct udphdr *udph;
	struct tcphdr *tcph;
	struct lb_stats *stats;
	__u32 *cached, real_index, vip_index;
	__u16 inner_len;
	int proto, vip;

	if (parse_ethhdr(&nh, data_end, &eth) != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	proto = parse_iphdr(&nh, data_end, &iph);
	if (proto < 0)
		return XDP_DROP;
	if (iph->frag_off & bpf_htons(0x3fff))
		return XDP_DROP;
	flow.src = iph->saddr;
	flow.dst = iph->daddr;
	flow.proto = proto;
	inner_len = bpf_ntohs(iph->tot_len);
	if (proto == IPPROTO_UDP) {
		if (parse_udphdr(&nh, data_end, &udph) < 0)
			return XDP_DROP;
		flow.sport = udph->source;
		flow.dport = udph->dest;
	} else if (proto == IPPROTO_TCP) {
		if (parse_tcphdr(&nh, data_end, &tcph) < 0)
			return XDP_DROP;
		flow.sport = tcph->source;
		flow.dport = tcph->dest;
	} else {
		return XDP_PASS;
	}

	vip = find_vip(&flow);
	if (vip < 0)
		return XDP_PASS;
	vip_index = vip;
	stats = bpf_map_lookup_elem(&vip_stats, &vip_index);
	if (!stats)
		return XDP_ABORTED;
	stats->packets++;
	stats->bytes += inner_len;

	cached = bpf_map_lookup_elem(&lru_flows, &flow);
	if (cached) {
		real_index = *cached;
	} else {
		__u32 hash = jhash_3words(flow.src, flow.sport | (flow.dport << 16),
					  flow.proto, 0x9e3779b9);

		real_index = ch_ring[hash % RING_SIZE];
		bpf_map_update_elem(&lru_flows, &flow, &real_index, BPF_ANY);
	}
	if (real_index >= MAX_REALS)
		return XDP_DROP;
	if (encap_ipip(ctx, &reals[real_index], inner_len))
		return XDP_DROP;
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
