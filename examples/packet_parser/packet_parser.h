/* The types packet_parser.bpf.c and its host program share: the stages'
 * slots in jmp_table, the per-CPU parse state, the flows' keys and values. */
#ifndef PACKET_PARSER_H
#define PACKET_PARSER_H

#include <linux/types.h>

#define MAX_LAYERS 16 /* 4 bits each in parse_state.layers */

enum parse_stage {
	PARSE_ETH = 0, /* the entry, not in the table */
	PARSE_VLAN = 1,
	PARSE_MPLS = 2,
	PARSE_IP = 3,
	PARSE_IPV6 = 4,
	PARSE_STAGES,
};

enum layer {
	LAYER_ETH = 1,
	LAYER_VLAN,
	LAYER_MPLS,
	LAYER_IPV4,
	LAYER_IPV6,
	LAYER_TCP,
	LAYER_UDP,
	LAYER_ICMP,
	LAYER_ICMPV6,
};

enum outcome {
	OUTCOME_PARSING = 0,	  /* a stage stopped without saying why */
	OUTCOME_COUNTED,	  /* counted in flows */
	OUTCOME_UNKNOWN_PROTOCOL, /* no stage for unknown_protocol */
	OUTCOME_FRAGMENT,	  /* an IPv4 fragment: no ports to read */
	OUTCOME_TRUNCATED,	  /* a header runs past the packet's end */
	OUTCOME_NO_STAGE,	  /* jmp_table has no program for the stage */
};

/* The innermost IP header's addresses (IPv4: the first word) and ports. */
struct flow_key {
	__u8 family; /* 4 or 6 */
	__u8 ip_proto;
	__be16 sport;
	__be16 dport;
	__u16 pad;
	__be32 src[4];
	__be32 dst[4];
};

struct parse_state {
	__u32 nhoff; /* where the next header starts */
	__u8 outcome;
	__u8 layer_cnt;
	__u16 unknown_protocol; /* ethertype, or IP protocol after an IP layer */
	__u64 layers; /* LAYER_* codes, 4 bits each, the first in the low bits */
	struct flow_key flow;
};

struct flow_counters {
	__u64 packets;
	__u64 bytes;
};

#endif
