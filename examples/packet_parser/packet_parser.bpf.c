// SPDX-License-Identifier: GPL-2.0
/* Seed 002's reference, the kernel's samples/bpf/sockex3: a packet parser
 * split into one program per protocol, chained by tail calls through a jump
 * table. Each stage reads its header, records it, and tail-calls the stage
 * of the header that follows; the last one counts the packet in its flow.
 *
 *     parse_eth -> [PARSE_VLAN] parse_vlan (again for QinQ)
 *               -> [PARSE_MPLS] parse_mpls (again while the label is not
 *                                           the bottom of the stack)
 *               -> [PARSE_IP]   parse_ip   (again for IP in IP)
 *               -> [PARSE_IPV6] parse_ipv6
 *
 * The stages share the parse state (where the next header starts, the
 * layers seen, the flow) through a PERCPU_ARRAY slot: a chain of tail calls
 * runs on one CPU, so that CPU's slot belongs to the packet being parsed.
 *
 * Written for tc (SEC("tc")), whose test runs see the packet from the
 * Ethernet header on, as sockex3's socket filter does on a packet socket
 * (a socket filter's test run starts at the IP header). Headers are read
 * with bpf_skb_load_bytes, where sockex3 uses load_half and load_word. */
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/mpls.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "packet_parser.h"

#define IP_MF 0x2000	 /* more fragments (net/ip.h) */
#define IP_OFFSET 0x1fff /* fragment offset */
struct vlan_hdr {
	__be16 tci;
	__be16 encapsulated_proto;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct parse_state);
} parse_states SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct flow_key);
	__type(value, struct flow_counters);
} flows SEC(".maps");

/* How many times each stage ran, parse_eth included. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PARSE_STAGES);
	__type(key, __u32);
	__type(value, __u64);
} stage_runs SEC(".maps");

int parse_vlan(struct __sk_buff *skb);
int parse_mpls(struct __sk_buff *skb);
int parse_ip(struct __sk_buff *skb);
int parse_ipv6(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 8);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct __sk_buff *));
} jmp_table SEC(".maps") = {
	.values = {
		[PARSE_VLAN] = (void *)&parse_vlan,
		[PARSE_MPLS] = (void *)&parse_mpls,
		[PARSE_IP] = (void *)&parse_ip,
		[PARSE_IPV6] = (void *)&parse_ipv6,
	},
};

/* This CPU's parse state, after counting the stage's run. */
static __always_inline struct parse_state *enter_stage(__u32 stage)
{
	__u64 *runs = bpf_map_lookup_elem(&stage_runs, &stage);
	__u32 zero = 0;

	if (runs)
		__sync_fetch_and_add(runs, 1);
	return bpf_map_lookup_elem(&parse_states, &zero);
}

static __always_inline void add_layer(struct parse_state *state, __u8 layer)
{
	__u32 n = state->layer_cnt;

	if (n >= MAX_LAYERS)
		return;
	state->layers |= (__u64)layer << (4 * n);
	state->layer_cnt = n + 1;
}

/* Reads the header at state->nhoff; false when the packet is too short. */
static __always_inline int read_header(struct __sk_buff *skb, struct parse_state *state,
				       void *header, __u32 len)
{
	if (bpf_skb_load_bytes(skb, state->nhoff, header, len) == 0)
		return 1;
	state->outcome = OUTCOME_TRUNCATED;
	return 0;
}

/* Tail-calls the stage for `proto` (an ethertype); returns only when there
 * is none, as sockex3's parse_eth_proto. */
static __always_inline void next_stage(struct __sk_buff *skb, struct parse_state *state,
				       __u16 proto)
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
	default:
		state->outcome = OUTCOME_UNKNOWN_PROTOCOL;
		state->unknown_protocol = proto;
		return;
	}
	state->outcome = OUTCOME_NO_STAGE;
}

static __always_inline void count_flow(struct __sk_buff *skb, struct parse_state *state)
{
	struct flow_key key = state->flow;
	struct flow_counters first = { .packets = 1, .bytes = skb->len };
	struct flow_counters *counters = bpf_map_lookup_elem(&flows, &key);

	/* Another CPU may add the flow between the lookup and the update. */
	if (!counters && bpf_map_update_elem(&flows, &key, &first, BPF_NOEXIST) == 0) {
		state->outcome = OUTCOME_COUNTED;
		return;
	}
	if (!counters)
		counters = bpf_map_lookup_elem(&flows, &key);
	if (!counters)
		return;
	__sync_fetch_and_add(&counters->packets, 1);
	__sync_fetch_and_add(&counters->bytes, skb->len);
	state->outcome = OUTCOME_COUNTED;
}

/* The header after an IP header: another IP header (a tunnel) or the
 * transport header that ends the parse. */
static __always_inline void parse_transport(struct __sk_buff *skb, struct parse_state *state,
					    __u8 ip_proto)
{
	__be16 ports[2];

	switch (ip_proto) {
	case IPPROTO_IPIP:
		next_stage(skb, state, ETH_P_IP);
		return;
	case IPPROTO_IPV6:
		next_stage(skb, state, ETH_P_IPV6);
		return;
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		if (!read_header(skb, state, ports, sizeof(ports)))
			return;
		state->flow.sport = ports[0];
		state->flow.dport = ports[1];
		add_layer(state, ip_proto == IPPROTO_TCP ? LAYER_TCP : LAYER_UDP);
		break;
	case IPPROTO_ICMP:
		add_layer(state, LAYER_ICMP);
		break;
	case IPPROTO_ICMPV6:
		add_layer(state, LAYER_ICMPV6);
		break;
	default:
		state->outcome = OUTCOME_UNKNOWN_PROTOCOL;
		state->unknown_protocol = ip_proto;
		return;
	}
	state->flow.ip_proto = ip_proto;
	count_flow(skb, state);
}

/* A new IP header replaces the flow's addresses: the innermost one wins. */
static __always_inline void set_flow_addresses(struct parse_state *state, __u8 family,
					       const void *src, const void *dst, __u32 len)
{
	__builtin_memset(&state->flow, 0, sizeof(state->flow));
	state->flow.family = family;
	if (len == 4) {
		__builtin_memcpy(state->flow.src, src, 4);
		__builtin_memcpy(state->flow.dst, dst, 4);
	} else {
		__builtin_memcpy(state->flow.src, src, 16);
		__builtin_memcpy(state->flow.dst, dst, 16);
	}
}

SEC("tc")
int parse_ip(struct __sk_buff *skb)
{
	struct parse_state *state = enter_stage(PARSE_IP);
	struct iphdr ip;

	if (!state || !read_header(skb, state, &ip, sizeof(ip)))
		return TC_ACT_OK;
	add_layer(state, LAYER_IPV4);
	if (ip.frag_off & bpf_htons(IP_MF | IP_OFFSET)) {
		state->outcome = OUTCOME_FRAGMENT;
		return TC_ACT_OK;
	}
	set_flow_addresses(state, 4, &ip.saddr, &ip.daddr, 4);
	state->nhoff += ip.ihl * 4;
	parse_transport(skb, state, ip.protocol);
	return TC_ACT_OK;
}

SEC("tc")
int parse_ipv6(struct __sk_buff *skb)
{
	struct parse_state *state = enter_stage(PARSE_IPV6);
	struct ipv6hdr ip6;

	if (!state || !read_header(skb, state, &ip6, sizeof(ip6)))
		return TC_ACT_OK;
	add_layer(state, LAYER_IPV6);
	set_flow_addresses(state, 6, &ip6.saddr, &ip6.daddr, 16);
	state->nhoff += sizeof(ip6);
	parse_transport(skb, state, ip6.nexthdr); /* extension headers: not parsed */
	return TC_ACT_OK;
}

SEC("tc")
int parse_vlan(struct __sk_buff *skb)
{
	struct parse_state *state = enter_stage(PARSE_VLAN);
	struct vlan_hdr vlan;

	if (!state || !read_header(skb, state, &vlan, sizeof(vlan)))
		return TC_ACT_OK;
	add_layer(state, LAYER_VLAN);
	state->nhoff += sizeof(vlan);
	next_stage(skb, state, bpf_ntohs(vlan.encapsulated_proto));
	return TC_ACT_OK;
}

SEC("tc")
int parse_mpls(struct __sk_buff *skb)
{
	struct parse_state *state = enter_stage(PARSE_MPLS);
	__be32 label;
	__u8 version;

	if (!state || !read_header(skb, state, &label, sizeof(label)))
		return TC_ACT_OK;
	add_layer(state, LAYER_MPLS);
	state->nhoff += sizeof(label);
	if (!(bpf_ntohl(label) & MPLS_LS_S_MASK)) {
		next_stage(skb, state, ETH_P_MPLS_UC); /* another label follows */
		return TC_ACT_OK;
	}
	/* MPLS does not say what it carries: the IP version nibble does. */
	if (!read_header(skb, state, &version, sizeof(version)))
		return TC_ACT_OK;
	next_stage(skb, state, (version >> 4) == 4 ? ETH_P_IP : ETH_P_IPV6);
	return TC_ACT_OK;
}

/* The entry: the program a user attaches to an interface. */
SEC("tc")
int parse_eth(struct __sk_buff *skb)
{
	struct parse_state *state = enter_stage(PARSE_ETH);
	__be16 proto;

	if (!state)
		return TC_ACT_OK;
	/* The slot still holds the previous packet's state on this CPU. */
	__builtin_memset(state, 0, sizeof(*state));
	add_layer(state, LAYER_ETH);
	state->nhoff = offsetof(struct ethhdr, h_proto);
	if (!read_header(skb, state, &proto, sizeof(proto)))
		return TC_ACT_OK;
	state->nhoff = sizeof(struct ethhdr);
	next_stage(skb, state, bpf_ntohs(proto));
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
