// SPDX-License-Identifier: GPL-2.0
/* bpf_loop with a callback over a context on the stack, and a bounded loop
 * the verifier walks, in a raw tracepoint on sys_enter. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct loop_ctx {
	u64 sum;
	u32 limit;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, u64);
} syscalls SEC(".maps");

u64 total = 0;
u32 nr_loops = 32;

static long add_step(u32 index, void *data)
{
	struct loop_ctx *lc = data;

	if (index >= lc->limit)
		return 1;
	lc->sum += index;
	return 0;
}

SEC("raw_tracepoint/sys_enter")
int count_syscalls(struct bpf_raw_tracepoint_args *ctx)
{
	struct loop_ctx lc = { .limit = 16 };
	u32 nr = ctx->args[1];
	u64 one = 1, *count;
	int i;

	count = bpf_map_lookup_elem(&syscalls, &nr);
	if (count)
		(*count)++;
	else
		bpf_map_update_elem(&syscalls, &nr, &one, BPF_NOEXIST);
	bpf_loop(nr_loops, add_step, &lc, 0);
	for (i = 0; i < 8 && i < nr; i++)
		lc.sum += i;
	__sync_fetch_and_add(&total, lc.sum);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
