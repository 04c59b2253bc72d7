// SPDX-License-Identifier: GPL-2.0
/* xdp-tutorial's shape: Ethernet, VLAN and IPv4 headers parsed with a
 * cursor checked against data_end, a blocklist in an LRU hash, per-CPU
 * counters per action. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP 0x0800
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8

struct datarec {
	u64 rx_packets;
	u64 rx_bytes;
};

struct hdr_cursor {
	void *pos;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDP_REDIRECT + 1);
	__type(key, u32);
	__type(value, struct datarec);
} xdp_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, u32);
	__type(value, u64);
} blocked SEC(".maps");

static __always_inline int parse_ethhdr(struct hdr_cursor *nh, void *data_end,
					struct ethhdr **ethhdr)
{
	struct ethhdr *eth = nh->pos;
	struct vlan_hdr {
		__be16 tci;
		__be16 proto;
	} *vlh;
	u16 h_proto;

	if ((void *)(eth + 1) > data_end)
		return -1;
	nh->pos = eth + 1;
	*ethhdr = eth;
	vlh = nh->pos;
	h_proto = eth->h_proto;
#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (h_proto != bpf_htons(ETH_P_8021Q) && h_proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vlh + 1) > data_end)
			break;
		h_proto = vlh->proto;
		vlh++;
	}
	nh->pos = vlh;
	return h_proto;
}

static __always_inline int parse_iphdr(struct hdr_cursor *nh, void *data_end,
				       struct iphdr **iphdr)
{
	struct iphdr *iph = nh->pos;
	int hdrsize;

	if ((void *)(iph + 1) > data_end)
		return -1;
	hdrsize = iph->ihl * 4;
	if (hdrsize < (int)sizeof(*iph))
		return -1;
	if (nh->pos + hdrsize > data_end)
		return -1;
	nh->pos += hdrsize;
	*iphdr = iph;
	return iph->protocol;
}

static __always_inline u32 record(struct xdp_md *ctx, u32 action)
{
	struct datarec *rec = bpf_map_lookup_elem(&xdp_stats, &action);

	if (!rec)
		return XDP_ABORTED;
	rec->rx_packets++;
	rec->rx_bytes += ctx->data_end - ctx->data;
	return action;
}

SEC("xdp")
int xdp_firewall(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor nh = { .pos = data };
	struct ethhdr *eth;
	struct iphdr *iph;
	u32 action = XDP_PASS;
	u64 *hits;
	u32 saddr;

	if (parse_ethhdr(&nh, data_end, &eth) != bpf_htons(ETH_P_IP))
		goto out;
	if (parse_iphdr(&nh, data_end, &iph) < 0) {
		action = XDP_DROP;
		goto out;
	}
	saddr = iph->saddr;
	hits = bpf_map_lookup_elem(&blocked, &saddr);
	if (hits) {
		__sync_fetch_and_add(hits, 1);
		action = XDP_DROP;
	}
out:
	return record(ctx, action);
}

char LICENSE[] SEC("license") = "GPL";
