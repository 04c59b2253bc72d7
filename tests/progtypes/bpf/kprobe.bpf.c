/* BPF_PROG_TYPE_KPROBE: every register of struct pt_regs (x86-64: 21 u64),
 * whole and in narrow reads, from kprobes, return probes and uprobes. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ctx_read.h"

#define PT_REGS_WORDS 21 /* sizeof(struct pt_regs) / 8 on x86-64 */

static __always_inline void read_all_regs(void *ctx)
{
#pragma unroll
	for (int i = 0; i < PT_REGS_WORDS; i++)
		READ_AT(ctx, __u64, i * 8);
	/* Narrow reads: each size at an aligned offset, the last bytes too. */
	READ_AT(ctx, __u8, 1);
	READ_AT(ctx, __u16, 2);
	READ_AT(ctx, __u32, 4);
	READ_AT(ctx, __u32, 164);
	READ_AT(ctx, __u8, 167);
}

SEC("kprobe/do_unlinkat")
int kprobe_regs(void *ctx)
{
	read_all_regs(ctx);
	return 0;
}

SEC("kretprobe/do_unlinkat")
int kretprobe_regs(void *ctx)
{
	read_all_regs(ctx);
	return 1; /* any value: the kernel does not check it */
}

SEC("uprobe")
int uprobe_regs(void *ctx)
{
	read_all_regs(ctx);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
