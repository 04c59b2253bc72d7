/* The small cgroup contexts: device (access_type narrow, major, minor),
 * sysctl (write, file_pos, writable), sockopt at getsockopt (retval) and
 * setsockopt (level and optname writable), with optval as a packet. */
#include <stddef.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ctx_read.h"

SEC("cgroup/dev")
int dev(struct bpf_cgroup_dev_ctx *ctx)
{
	READ(ctx->access_type);
	READ_AT(ctx, __u16, 0);
	READ_AT(ctx, __u16, 2);
	READ_AT(ctx, __u8, 3);
	READ(ctx->major);
	READ(ctx->minor);
	return 1;
}

SEC("cgroup/sysctl")
int sysctl(struct bpf_sysctl *ctx)
{
	READ(ctx->write);
	READ_AT(ctx, __u8, 0);
	READ(ctx->file_pos);
	READ_AT(ctx, __u16, offsetof(struct bpf_sysctl, file_pos) + 2);
	WRITE(ctx->file_pos, 0);
	return 1;
}

static __always_inline void read_sockopt(struct bpf_sockopt *ctx)
{
	void *optval = ctx->optval, *optval_end = ctx->optval_end;

	READ(ctx->sk->family);
	READ(ctx->level);
	READ(ctx->optname);
	READ(ctx->optlen);
	if (optval + 4 <= optval_end)
		READ(*(__u32 *)optval);
}

SEC("cgroup/getsockopt")
int getsockopt(struct bpf_sockopt *ctx)
{
	read_sockopt(ctx);
	READ(ctx->retval);
	WRITE(ctx->retval, 0);
	WRITE(ctx->optlen, 4);
	return 1;
}

SEC("cgroup/setsockopt")
int setsockopt(struct bpf_sockopt *ctx)
{
	read_sockopt(ctx);
	WRITE(ctx->level, 1);
	WRITE(ctx->optname, 2);
	WRITE(ctx->optlen, -1);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
