/* BPF_PROG_TYPE_SK_LOOKUP and SK_REUSEPORT: every field of struct
 * bpf_sk_lookup (narrow reads, the u32 remote_port, its padding), and of
 * struct sk_reuseport_md with its packet and sockets. */
#include <stddef.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ctx_read.h"

#define SK_LOOKUP_INGRESS_IFINDEX 64 /* Linux 5.17+, past some headers */

SEC("sk_lookup")
int lookup(struct bpf_sk_lookup *ctx)
{
	READ(ctx->family);
	READ(ctx->protocol);
	READ(ctx->remote_ip4);
	READ(ctx->local_ip4);
#pragma unroll
	for (int i = 0; i < 4; i++) {
		READ(ctx->remote_ip6[i]);
		READ(ctx->local_ip6[i]);
	}
	READ_AT(ctx, __u16, offsetof(struct bpf_sk_lookup, remote_port));
	READ_AT(ctx, __u32, offsetof(struct bpf_sk_lookup, remote_port));
	READ_AT(ctx, __u16, offsetof(struct bpf_sk_lookup, remote_port) + 2);
	READ(ctx->local_port);
	READ_AT(ctx, __u8, offsetof(struct bpf_sk_lookup, local_port) + 1);
	READ_AT(ctx, __u32, SK_LOOKUP_INGRESS_IFINDEX);
	if (ctx->sk)
		READ(ctx->sk->family);
	return SK_PASS;
}

static __always_inline void reuseport(struct sk_reuseport_md *md)
{
	void *data = md->data, *data_end = md->data_end;

	READ(md->len);
	READ(md->eth_protocol);
	READ_AT(md, __u16, offsetof(struct sk_reuseport_md, eth_protocol));
	READ(md->ip_protocol);
	READ_AT(md, __u8, offsetof(struct sk_reuseport_md, ip_protocol));
	READ(md->bind_inany);
	READ(md->hash);
	READ(md->sk->family);
	if (data + 1 <= data_end)
		READ(*(__u8 *)data);
}

SEC("sk_reuseport")
int select_sk(struct sk_reuseport_md *md)
{
	reuseport(md);
	return SK_PASS;
}

SEC("sk_reuseport/migrate")
int migrate_sk(struct sk_reuseport_md *md)
{
	reuseport(md);
	if (md->migrating_sk)
		READ(md->migrating_sk->family);
	return SK_DROP;
}

char LICENSE[] SEC("license") = "GPL";
