// SPDX-License-Identifier: GPL-2.0
/* Seed 000: three cgroup_skb/egress programs chained by tail calls, passing
 * values from one to the next through a PERCPU_ARRAY slot.
 *
 * A chain runs on one CPU from its first program to its last, so the slot of
 * that CPU is a private scratchpad for the chain: egress1 resets it and
 * writes value_from_1, egress2 adds value_from_2, egress3 reads both.
 *
 *     egress1 --tail call [0]--> egress2 --tail call [1]--> egress3
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "egress_chain.h"

#define SK_PASS 1 /* cgroup_skb: 1 lets the packet go, 0 drops it */

/* One chain_context per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct chain_context);
} chain_context_map SEC(".maps");

int egress2(struct __sk_buff *skb);
int egress3(struct __sk_buff *skb);

/* The loader fills the slots from .values once the programs are loaded. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__array(values, int(struct __sk_buff *));
} chain_programs SEC(".maps") = {
	.values = {
		[CHAIN_EGRESS2] = (void *)&egress2,
		[CHAIN_EGRESS3] = (void *)&egress3,
	},
};

static struct chain_context *this_cpu_context(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&chain_context_map, &zero);
}

SEC("cgroup_skb/egress")
int egress3(struct __sk_buff *skb)
{
	struct chain_context *chain = this_cpu_context();

	bpf_printk("[egress3] Someone called me");
	if (!chain)
		return SK_PASS;
	bpf_printk("[egress3] first=%u second=%u", chain->value_from_1, chain->value_from_2);
	return SK_PASS;
}

SEC("cgroup_skb/egress")
int egress2(struct __sk_buff *skb)
{
	struct chain_context *chain = this_cpu_context();

	if (!chain)
		return SK_PASS;
	chain->value_from_2 = 22;
	bpf_printk("[egress2] Calling egress3");
	bpf_tail_call(skb, &chain_programs, CHAIN_EGRESS3);
	bpf_printk("[egress2] egress3 is not in chain_programs");
	return SK_PASS;
}

/* The entry: the program a user attaches to the cgroup. */
SEC("cgroup_skb/egress")
int egress1(struct __sk_buff *skb)
{
	struct chain_context *chain = this_cpu_context();

	if (!chain)
		return SK_PASS;
	/* The slot still holds the previous chain's values on this CPU. */
	__builtin_memset(chain, 0, sizeof(*chain));
	chain->value_from_1 = 11;
	bpf_printk("[egress1] Calling egress2");
	bpf_tail_call(skb, &chain_programs, CHAIN_EGRESS2);
	bpf_printk("[egress1] egress2 is not in chain_programs");
	return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
