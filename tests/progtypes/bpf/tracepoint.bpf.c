/* BPF_PROG_TYPE_TRACEPOINT and RAW_TRACEPOINT_WRITABLE: the record past its
 * common header (sys_enter_openat: id, then 6 args), and the writable raw
 * tracepoint's buffer (through args[0]) and arguments. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ctx_read.h"

struct sys_enter_record {
	__u16 common_type;
	__u8 common_flags;
	__u8 common_preempt_count;
	__s32 common_pid;
	__s64 id;
	__u64 args[6];
};

SEC("tracepoint/syscalls/sys_enter_openat")
int tp_openat(struct sys_enter_record *ctx)
{
	READ(ctx->id);
#pragma unroll
	for (int i = 0; i < 6; i++)
		READ(ctx->args[i]);
	READ_AT(ctx, __u8, 9);
	READ_AT(ctx, __u16, 10);
	READ_AT(ctx, __u32, 12);
	return 0;
}

SEC("raw_tracepoint.w/bpf_test_finish")
int raw_tp_writable(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 *buffer = (__u64 *)ctx->args[0];

	READ(*buffer);
	READ(ctx->args[1]);
	READ_AT(ctx, __u32, 12);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
