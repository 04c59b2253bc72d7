/* BPF_PROG_TYPE_CGROUP_SOCK: struct bpf_sock as each attach type sees it:
 * sock_create and sock_release write bound_dev_if, mark and priority;
 * post_bind4/6 read the bound address and port. */
#include <stddef.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ctx_read.h"

/* What every attach type reads, whole and narrow. */
static __always_inline void read_common(struct bpf_sock *sk)
{
	READ(sk->family);
	READ(sk->type);
	READ(sk->protocol);
	READ(sk->dst_port);
	READ_AT(sk, __u32, offsetof(struct bpf_sock, dst_port));
	READ(sk->dst_ip4);
	READ_AT(sk, __u8, offsetof(struct bpf_sock, dst_ip4) + 3);
#pragma unroll
	for (int i = 0; i < 4; i++)
		READ(sk->dst_ip6[i]);
	READ(sk->state);
	READ(sk->rx_queue_mapping);
	READ_AT(sk, __u8, offsetof(struct bpf_sock, family));
}

SEC("cgroup/sock_create")
int sock_create(struct bpf_sock *sk)
{
	read_common(sk);
	READ(sk->bound_dev_if);
	READ(sk->mark);
	READ(sk->priority);
	WRITE(sk->bound_dev_if, 0);
	WRITE(sk->mark, 42);
	WRITE(sk->priority, 3);
	return 1;
}

SEC("cgroup/sock_release")
int sock_release(struct bpf_sock *sk)
{
	read_common(sk);
	WRITE(sk->mark, 0);
	return 1;
}

SEC("cgroup/post_bind4")
int post_bind4(struct bpf_sock *sk)
{
	read_common(sk);
	READ(sk->src_ip4);
	READ_AT(sk, __u16, offsetof(struct bpf_sock, src_ip4) + 2);
	READ(sk->src_port);
	return 1;
}

SEC("cgroup/post_bind6")
int post_bind6(struct bpf_sock *sk)
{
	read_common(sk);
#pragma unroll
	for (int i = 0; i < 4; i++)
		READ(sk->src_ip6[i]);
	READ(sk->src_port);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
