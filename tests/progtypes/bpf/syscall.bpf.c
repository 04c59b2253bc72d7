/* BPF_PROG_TYPE_SYSCALL: the caller's buffer, read and written at any
 * aligned offset. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ctx_read.h"

struct syscall_args {
	__u64 in;
	__u32 small;
	__u16 tiny;
	__u8 byte;
	__u8 pad;
	__u64 out;
	__u64 far[64];
};

SEC("syscall")
int syscall_rw(struct syscall_args *ctx)
{
	READ(ctx->in);
	READ(ctx->small);
	READ(ctx->tiny);
	READ(ctx->byte);
	READ(ctx->far[63]);
	WRITE(ctx->out, sink);
	WRITE(ctx->small, 1);
	WRITE(ctx->byte, 2);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
