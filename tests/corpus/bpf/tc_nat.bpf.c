// SPDX-License-Identifier: GPL-2.0
/* A Cilium/Katran-style tc program: a destination rewritten from a backend
 * table with the checksums fixed by helpers, and statistics kept under a
 * spin lock in a hash value. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP 0x0800
#define TC_ACT_OK 0
#define TC_ACT_SHOT 2
#define IP_DST_OFF (sizeof(struct ethhdr) + offsetof(struct iphdr, daddr))
#define IP_CSUM_OFF (sizeof(struct ethhdr) + offsetof(struct iphdr, check))
#define TCP_CSUM_OFF (sizeof(struct ethhdr) + sizeof(struct iphdr) + offsetof(struct tcphdr, check))
#define BPF_F_PSEUDO_HDR_FLAG 0x10

struct backend {
	u32 addr;
	u32 weight;
};

struct vip_stats {
	struct bpf_spin_lock lock;
	u64 packets;
	u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, u32);
	__type(value, struct backend);
} backends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, u32);
	__type(value, struct vip_stats);
} stats SEC(".maps");

SEC("tc")
int tc_dnat(struct __sk_buff *skb)
{
	void *data_end = (void *)(long)skb->data_end;
	void *data = (void *)(long)skb->data;
	struct ethhdr *eth = data;
	struct iphdr *iph = data + sizeof(*eth);
	struct vip_stats *st;
	struct backend *be;
	u32 vip, new_dst;

	if ((void *)(iph + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || iph->ihl != 5 || iph->protocol != IPPROTO_TCP)
		return TC_ACT_OK;
	vip = iph->daddr;
	be = bpf_map_lookup_elem(&backends, &vip);
	if (!be)
		return TC_ACT_OK;
	st = bpf_map_lookup_elem(&stats, &vip);
	if (st) {
		bpf_spin_lock(&st->lock);
		st->packets++;
		st->bytes += skb->len;
		bpf_spin_unlock(&st->lock);
	}
	new_dst = be->addr;
	if (bpf_l4_csum_replace(skb, TCP_CSUM_OFF, vip, new_dst,
				BPF_F_PSEUDO_HDR_FLAG | sizeof(new_dst)))
		return TC_ACT_SHOT;
	if (bpf_l3_csum_replace(skb, IP_CSUM_OFF, vip, new_dst, sizeof(new_dst)))
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, IP_DST_OFF, &new_dst, sizeof(new_dst), 0))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
