/* The record xdp_jump_table.bpf.c sends through the events perf event
 * array, as its host program and the kernel comparison read it. */
#ifndef XDP_JUMP_TABLE_H
#define XDP_JUMP_TABLE_H

#include <linux/types.h>

#define MESSAGE_LEN 32

struct event {
	__u64 timestamp; /* bpf_ktime_get_ns() */
	char message[MESSAGE_LEN];
};

#endif
