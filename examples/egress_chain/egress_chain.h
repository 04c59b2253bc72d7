/* The types egress_chain.bpf.c and its host program share. */
#ifndef EGRESS_CHAIN_H
#define EGRESS_CHAIN_H

#include <linux/types.h>

/* The slots of chain_programs */
enum chain_slot {
	CHAIN_EGRESS2 = 0,
	CHAIN_EGRESS3 = 1,
};

/* The value of chain_context_map, one per CPU */
struct chain_context {
	__u32 value_from_1;
	__u32 value_from_2;
};

#endif
