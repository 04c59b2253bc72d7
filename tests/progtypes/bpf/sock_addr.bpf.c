/* BPF_PROG_TYPE_CGROUP_SOCK_ADDR: struct bpf_sock_addr at each attach type:
 * the inet4 ones read and write user_ip4, the inet6 ones user_ip6 (u32 and
 * u64 accesses), sendmsg the message's source; each returns what its
 * attach type allows (bind 0..3, recvmsg and the name queries 1). */
#include <stddef.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ctx_read.h"

static __always_inline void read_common(struct bpf_sock_addr *ctx)
{
	READ(ctx->user_family);
	READ(ctx->user_port);
	READ_AT(ctx, __u16, offsetof(struct bpf_sock_addr, user_port));
	READ_AT(ctx, __u8, offsetof(struct bpf_sock_addr, user_port) + 1);
	READ(ctx->family);
	READ(ctx->type);
	READ(ctx->protocol);
	READ(ctx->sk->family);
}

static __always_inline void ip4(struct bpf_sock_addr *ctx)
{
	read_common(ctx);
	READ(ctx->user_ip4);
	READ_AT(ctx, __u8, offsetof(struct bpf_sock_addr, user_ip4) + 3);
	WRITE(ctx->user_ip4, 0x0100007f);
	WRITE(ctx->user_port, 0x5000);
}

static __always_inline void ip6(struct bpf_sock_addr *ctx)
{
	read_common(ctx);
#pragma unroll
	for (int i = 0; i < 4; i++)
		READ(ctx->user_ip6[i]);
	READ_AT(ctx, __u64, offsetof(struct bpf_sock_addr, user_ip6[2]));
	READ_AT(ctx, __u16, offsetof(struct bpf_sock_addr, user_ip6[3]) + 2);
	WRITE(ctx->user_ip6[3], 0x01000000);
	*(volatile __u64 *)&ctx->user_ip6[0] = 0;
	WRITE(ctx->user_port, 0x5000);
}

SEC("cgroup/bind4")
int bind4(struct bpf_sock_addr *ctx)
{
	ip4(ctx);
	return 3;
}

SEC("cgroup/bind6")
int bind6(struct bpf_sock_addr *ctx)
{
	ip6(ctx);
	return 2;
}

SEC("cgroup/connect4")
int connect4(struct bpf_sock_addr *ctx)
{
	ip4(ctx);
	return 1;
}

SEC("cgroup/connect6")
int connect6(struct bpf_sock_addr *ctx)
{
	ip6(ctx);
	return 1;
}

SEC("cgroup/sendmsg4")
int sendmsg4(struct bpf_sock_addr *ctx)
{
	ip4(ctx);
	READ(ctx->msg_src_ip4);
	WRITE(ctx->msg_src_ip4, 0x0100007f);
	return 1;
}

SEC("cgroup/sendmsg6")
int sendmsg6(struct bpf_sock_addr *ctx)
{
	ip6(ctx);
#pragma unroll
	for (int i = 0; i < 4; i++)
		READ(ctx->msg_src_ip6[i]);
	READ_AT(ctx, __u64, offsetof(struct bpf_sock_addr, msg_src_ip6[1]));
	WRITE(ctx->msg_src_ip6[0], 0);
	*(volatile __u64 *)&ctx->msg_src_ip6[1] = 0;
	return 0;
}

SEC("cgroup/recvmsg4")
int recvmsg4(struct bpf_sock_addr *ctx)
{
	ip4(ctx);
	return 1;
}

SEC("cgroup/getpeername6")
int getpeername6(struct bpf_sock_addr *ctx)
{
	ip6(ctx);
	return 1;
}

SEC("cgroup/getsockname4")
int getsockname4(struct bpf_sock_addr *ctx)
{
	ip4(ctx);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
