// SPDX-License-Identifier: GPL-2.0
/* Seed 001: one raw_tracepoint/sys_enter program that hands each syscall to
 * the program registered for its number in a prog array, and says so when
 * there is none. Slot 268 (fchmodat on x86_64) is filled by the object
 * itself through .values; any other slot is filled from user space with
 * the program's id (a file descriptor in the kernel). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "syscall_dispatch.h"

int enter_fchmodat(struct bpf_raw_tracepoint_args *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, MAX_SYSCALLS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__array(values, int(void *));
} syscall_programs SEC(".maps") = {
	.values = {
		[SYS_FCHMODAT] = (void *)&enter_fchmodat,
	},
};

/* How many times each syscall number came in. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_SYSCALLS);
	__type(key, __u32);
	__type(value, __u64);
} syscall_counts SEC(".maps");

/* sys_enter's arguments: args[0] is the task's struct pt_regs *, args[1]
 * the syscall number. */
SEC("raw_tracepoint/sys_enter")
int sys_enter_dispatch(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 nr = ctx->args[1];
	__u64 *count = bpf_map_lookup_elem(&syscall_counts, &nr);

	if (count)
		__sync_fetch_and_add(count, 1);
	/* Never returns when syscall_programs[nr] holds a program. */
	bpf_tail_call(ctx, &syscall_programs, nr);
	bpf_printk("no bpf program for syscall %u", nr);
	return 0;
}

SEC("raw_tracepoint/sys_enter")
int enter_fchmodat(struct bpf_raw_tracepoint_args *ctx)
{
	bpf_printk("[enter_fchmodat] syscall %llu: a file's mode changes", ctx->args[1]);
	return 1;
}

SEC("raw_tracepoint/sys_enter")
int enter_openat(struct bpf_raw_tracepoint_args *ctx)
{
	bpf_printk("[enter_openat] syscall %llu: a file opens", ctx->args[1]);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
