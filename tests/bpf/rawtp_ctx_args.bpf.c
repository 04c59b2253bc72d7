/* raw_tracepoint arguments: args[0..11] (all MAX_BPF_FUNC_ARGS of them)
 * copied into `fields` (ctx_fields.h, slot = argument index), and narrow
 * loads of them, which raw_tp_prog_is_valid_access allows at any offset
 * aligned to their size (slots from SLOT_NARROW). The return value is the
 * low byte of args[0] plus args[11]. */
#include "ctx_fields.h"

#define ARG_NARROW(ctx, type, at) (*(volatile type *)((void *)(ctx) + (at)))

SEC("raw_tp/sys_enter")
int rawtp_read_args(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 slot = SLOT_NARROW;

	save(0, ctx->args[0]);
	save(1, ctx->args[1]);
	save(2, ctx->args[2]);
	save(3, ctx->args[3]);
	save(4, ctx->args[4]);
	save(5, ctx->args[5]);
	save(6, ctx->args[6]);
	save(7, ctx->args[7]);
	save(8, ctx->args[8]);
	save(9, ctx->args[9]);
	save(10, ctx->args[10]);
	save(11, ctx->args[11]);
	save(slot++, ARG_NARROW(ctx, __u32, 12));
	save(slot++, ARG_NARROW(ctx, __u16, 22));
	save(slot++, ARG_NARROW(ctx, __u8, 31));
	save(slot++, ARG_NARROW(ctx, __u8, 95));
	save(slot++, (__u8)ctx->args[3]);
	save(slot++, (__u32)(ctx->args[4] >> 32));
	return (__u8)ctx->args[0] + ctx->args[11];
}

char LICENSE[] SEC("license") = "GPL";
