// SPDX-License-Identifier: GPL-2.0
/* Three frames whose stacks fit the 512 bytes, one of them holding a
 * pointer into its own frame in memory (a volatile local, as clang spills
 * pointers in large unrolled functions such as pyperf's). The kernel counts
 * a frame's depth from what its verifier sees the frame touch; bpfvm's
 * static pass, which cannot follow a pointer through memory, must leave the
 * depth to the proof rather than charge the frame the whole 512 bytes.
 *
 * The same chain with frames summing past 512 bytes: a socket filter's is
 * refused by both (unsafe_stack_chain_too_deep); a raw tracepoint's is
 * accepted by Linux 6.18 with its JIT, which gives each frame of 64 bytes or
 * more of a tracing program a private stack, and refused by bpfvm
 * (docs/differences.md). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define FRAME_BYTES 320

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} sums SEC(".maps");

static __noinline u64 leaf_sum(u64 seed)
{
	volatile u64 cell = seed;

	return cell + 1;
}

/* The pointer to buf travels through the stack slot of `cursor`. */
static __noinline u64 middle_sum(u64 seed)
{
	char buf[FRAME_BYTES];
	char *volatile cursor = buf;
	u64 sum = 0;

	__builtin_memset(buf, (char)seed, sizeof(buf));
	for (int i = 0; i < FRAME_BYTES; i += 64)
		sum += cursor[i];
	return sum + leaf_sum(seed);
}

SEC("raw_tracepoint/sys_enter")
int spilled_frame_pointer_fits(void *ctx)
{
	u32 key = 0;
	u64 *slot = bpf_map_lookup_elem(&sums, &key);

	if (slot)
		*slot += middle_sum(bpf_get_prandom_u32());
	return 0;
}

/* 272 bytes in the caller + 336 in middle_sum + 16 in leaf_sum; `big` is
 * filled by a helper, so that clang keeps it. */
static __always_inline u64 deep_chain(const char *big)
{
	u32 key = 0;
	u64 *slot = bpf_map_lookup_elem(&sums, &key);

	if (!slot)
		return 0;
	*slot += middle_sum(big[7]) + big[200];
	return *slot;
}

SEC("socket")
int unsafe_stack_chain_too_deep(struct __sk_buff *skb)
{
	char big[256];

	if (bpf_skb_load_bytes(skb, 0, big, sizeof(big)))
		return 0;
	return deep_chain(big) & 1;
}

SEC("raw_tracepoint/sys_enter")
int private_stack_chain(void *ctx)
{
	char big[256];

	bpf_get_current_comm(big, sizeof(big));
	return deep_chain(big) & 1;
}

char LICENSE[] SEC("license") = "GPL";
