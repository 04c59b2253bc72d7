// SPDX-License-Identifier: GPL-2.0
/* Seed 002: an XDP entry program that reports itself to user space through
 * a perf event array and tail-calls slot 0 of a jump table. The slot starts
 * empty, so the tail call falls through and every packet passes; when user
 * space puts prog_drop in the slot, packets are dropped, and prog_entry's
 * last part no longer runs; deleting the slot restores the first behaviour.
 *
 *     prog_entry: "Enter prog_entry", tail call jmp_table[0],
 *                 "Exit prog_entry", XDP_PASS   (slot empty)
 *     prog_drop:  "Enter prog_drop", XDP_DROP   (when in the slot)
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xdp_jump_table.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 8);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} jmp_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

/* Sends one event to the reader of this CPU's perf buffer. Inlined, so
 * that the message (a string literal) is copied by constant stores. */
static __always_inline void report(struct xdp_md *ctx, const char *text, __u32 len)
{
	struct event event = { .timestamp = bpf_ktime_get_ns() };

	__builtin_memcpy(event.message, text, len);
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &event, sizeof(event));
}

SEC("xdp")
int prog_drop(struct xdp_md *ctx)
{
	report(ctx, "Enter prog_drop", sizeof("Enter prog_drop"));
	return XDP_DROP;
}

SEC("xdp")
int prog_entry(struct xdp_md *ctx)
{
	report(ctx, "Enter prog_entry", sizeof("Enter prog_entry"));
	bpf_tail_call(ctx, &jmp_table, 0);
	report(ctx, "Exit prog_entry", sizeof("Exit prog_entry"));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
