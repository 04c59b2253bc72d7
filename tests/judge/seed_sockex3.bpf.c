/* Seed 002's first half: samples/bpf/sockex3_kern.c, a socket filter that
 * dissects a packet in stages chained by tail calls (VLAN, MPLS, IPv4,
 * IPv6), keeping its state in a per-CPU scratch slot between the stages.
 * The entry returns 0 when no stage takes the packet; the last stage returns
 * a summary of the flow it found. */
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

#define PARSE_VLAN 1
#define PARSE_MPLS 2
#define PARSE_IP 3
#define PARSE_IPV6 4

#ifndef ETH_P_MPLS_UC
#define ETH_P_MPLS_UC 0x8847
#define ETH_P_MPLS_MC 0x8848
#endif

struct vlan_hdr {
	__be16 h_vlan_TCI;
	__be16 h_vlan_encapsulated_proto;
};

struct flow_key_record {
	__be32 src;
	__be32 dst;
	union {
		__be32 ports;
		__be16 port16[2];
	};
	__u32 ip_proto;
};

struct globals {
	struct flow_key_record flow;
	__u32 nhoff;
	__u32 stages;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct globals);
	__uint(max_entries, 1);
} percpu_map SEC(".maps");

int bpf_func_parse_vlan(struct __sk_buff *skb);
int bpf_func_parse_mpls(struct __sk_buff *skb);
int bpf_func_parse_ip(struct __sk_buff *skb);
int bpf_func_parse_ipv6(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(max_entries, 8);
	__array(values, int(void *));
} jmp_table SEC(".maps") = {
	.values = {
		[PARSE_VLAN] = (void *)&bpf_func_parse_vlan,
		[PARSE_MPLS] = (void *)&bpf_func_parse_mpls,
		[PARSE_IP] = (void *)&bpf_func_parse_ip,
		[PARSE_IPV6] = (void *)&bpf_func_parse_ipv6,
	},
};

static struct globals *this_cpu_globals(void)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&percpu_map, &key);
}

static __always_inline void parse_eth_proto(struct __sk_buff *skb, __u32 proto)
{
	switch (proto) {
	case ETH_P_8021Q:
	case ETH_P_8021AD:
		bpf_tail_call(skb, &jmp_table, PARSE_VLAN);
		break;
	case ETH_P_MPLS_UC:
	case ETH_P_MPLS_MC:
		bpf_tail_call(skb, &jmp_table, PARSE_MPLS);
		break;
	case ETH_P_IP:
		bpf_tail_call(skb, &jmp_table, PARSE_IP);
		break;
	case ETH_P_IPV6:
		bpf_tail_call(skb, &jmp_table, PARSE_IPV6);
		break;
	}
}

static __always_inline int summary(struct globals *g)
{
	return (g->flow.ip_proto << 24) | (g->stages << 16) | (g->nhoff << 8) |
	       ((g->flow.src ^ g->flow.dst ^ g->flow.ports) & 0xff);
}

static __always_inline void parse_l4(struct __sk_buff *skb, struct globals *g, __u32 proto)
{
	g->flow.ip_proto = proto;
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP)
		g->flow.ports = load_word(skb, g->nhoff);
}

SEC("socket")
int bpf_func_parse_ip(struct __sk_buff *skb)
{
	struct globals *g = this_cpu_globals();
	__u32 nhoff, verlen, ip_proto;

	if (!g)
		return 0;
	g->stages++;
	nhoff = g->nhoff;
	if (load_half(skb, nhoff + offsetof(struct iphdr, frag_off)) & (0x2000 | 0x1fff))
		return 0;
	ip_proto = load_byte(skb, nhoff + offsetof(struct iphdr, protocol));
	g->flow.src = load_word(skb, nhoff + offsetof(struct iphdr, saddr));
	g->flow.dst = load_word(skb, nhoff + offsetof(struct iphdr, daddr));
	verlen = load_byte(skb, nhoff + 0);
	nhoff += (verlen & 0xF) << 2;
	g->nhoff = nhoff;
	parse_l4(skb, g, ip_proto);
	return summary(g);
}

SEC("socket")
int bpf_func_parse_ipv6(struct __sk_buff *skb)
{
	struct globals *g = this_cpu_globals();
	__u32 nhoff, ip_proto;

	if (!g)
		return 0;
	g->stages++;
	nhoff = g->nhoff;
	ip_proto = load_byte(skb, nhoff + offsetof(struct ipv6hdr, nexthdr));
	g->flow.src = load_word(skb, nhoff + offsetof(struct ipv6hdr, saddr) + 12);
	g->flow.dst = load_word(skb, nhoff + offsetof(struct ipv6hdr, daddr) + 12);
	g->nhoff = nhoff + sizeof(struct ipv6hdr);
	parse_l4(skb, g, ip_proto);
	return summary(g);
}

SEC("socket")
int bpf_func_parse_vlan(struct __sk_buff *skb)
{
	struct globals *g = this_cpu_globals();
	__u32 nhoff, proto;

	if (!g)
		return 0;
	g->stages++;
	nhoff = g->nhoff;
	proto = load_half(skb, nhoff + offsetof(struct vlan_hdr, h_vlan_encapsulated_proto));
	g->nhoff = nhoff + sizeof(struct vlan_hdr);
	parse_eth_proto(skb, proto);
	return 0;
}

SEC("socket")
int bpf_func_parse_mpls(struct __sk_buff *skb)
{
	struct globals *g = this_cpu_globals();
	__u32 nhoff, label;

	if (!g)
		return 0;
	g->stages++;
	nhoff = g->nhoff;
	label = load_word(skb, nhoff);
	g->nhoff = nhoff + 4;
	if (label & 0x100) /* bottom of stack: IPv4 follows in this corpus */
		bpf_tail_call(skb, &jmp_table, PARSE_IP);
	else
		bpf_tail_call(skb, &jmp_table, PARSE_MPLS);
	return 0;
}

SEC("socket")
int main_prog(struct __sk_buff *skb)
{
	struct globals *g = this_cpu_globals();
	__u32 nhoff = ETH_HLEN;
	__u32 proto = load_half(skb, 12);

	if (!g)
		return 0;
	__builtin_memset(g, 0, sizeof(*g));
	g->nhoff = nhoff;
	parse_eth_proto(skb, proto);
	return 0;
}

char _license[] SEC("license") = "GPL";
