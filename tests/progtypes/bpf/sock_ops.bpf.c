/* BPF_PROG_TYPE_SOCK_OPS: every field of struct bpf_sock_ops (Linux 6.18:
 * skb_hwtstamp at +216, past the build machine's header), the packet
 * pointers checked against each other, the socket NULL-checked; writes of
 * reply and sk_txhash. */
#include <stddef.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ctx_read.h"

#define SOCK_OPS_SKB_HWTSTAMP 216

SEC("sockops")
int sock_ops_fields(struct bpf_sock_ops *ctx)
{
	/* op .. sk_txhash: 41 u32s from +0 to +164. */
#pragma unroll
	for (int off = 0; off <= offsetof(struct bpf_sock_ops, sk_txhash); off += 4)
		READ_AT(ctx, __u32, off);
	READ(ctx->bytes_received);
	READ(ctx->bytes_acked);
	READ(ctx->skb_len);
	READ(ctx->skb_tcp_flags);
	/* Narrow loads, at the field's start only (the kernel's rule). */
	READ_AT(ctx, __u8, offsetof(struct bpf_sock_ops, skb_tcp_flags));
	READ_AT(ctx, __u16, offsetof(struct bpf_sock_ops, skb_tcp_flags));
	READ_AT(ctx, __u64, SOCK_OPS_SKB_HWTSTAMP);

	struct bpf_sock *sk = ctx->sk;
	void *data = (void *)(long)ctx->skb_data;
	void *data_end = (void *)(long)ctx->skb_data_end;

	if (sk)
		READ(sk->family);
	if (data + 20 <= data_end)
		READ(*(__u32 *)data);
	WRITE(ctx->reply, 1);
	WRITE(ctx->sk_txhash, (__u32)sink);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
