// SPDX-License-Identifier: GPL-2.0
/* Socket lookups and references the way networking programs use them: a
 * tc classifier that finds the socket of a packet's 4-tuple, a connect4
 * hook that checks its new destination is listening, a cgroup skb counter
 * that walks from the packet's socket to its TCP state, a sk_lookup
 * dispatcher and a reuseport group that pick a socket from a sockmap. The
 * unsafe_* programs break one reference rule each; the kernel and bpfvm
 * refuse them. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP 0x0800
#define TC_ACT_OK 0
#define TC_ACT_SHOT 2
#define TCP_LISTEN 10

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} listeners SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} next_stage SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

static void count(__u32 what)
{
	__u64 *n = bpf_map_lookup_elem(&seen, &what);

	if (n)
		__sync_fetch_and_add(n, 1);
}

/* The IPv4 tuple of a TCP packet, in the packet, or NULL. */
static struct bpf_sock_tuple *packet_tuple(struct __sk_buff *skb)
{
	void *data_end = (void *)(long)skb->data_end;
	void *data = (void *)(long)skb->data;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct bpf_sock_tuple *tuple;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_TCP || ip->ihl != 5)
		return NULL;
	tuple = (void *)&ip->saddr;
	if ((void *)tuple + sizeof(tuple->ipv4) > data_end)
		return NULL;
	return tuple;
}

SEC("tc")
int tc_owner_of_packet(struct __sk_buff *skb)
{
	struct bpf_sock_tuple *tuple = packet_tuple(skb);
	struct bpf_sock *sk;
	int verdict = TC_ACT_OK;

	if (!tuple)
		return TC_ACT_OK;
	sk = bpf_skc_lookup_tcp(skb, tuple, sizeof(tuple->ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return TC_ACT_SHOT;
	if (sk->state == TCP_LISTEN) {
		struct bpf_sock *full = bpf_sk_fullsock(sk);

		if (full && full->protocol == IPPROTO_TCP)
			count(full->src_port & 3);
		if (bpf_sk_assign(skb, sk, 0))
			verdict = TC_ACT_SHOT;
	}
	bpf_sk_release(sk);
	return verdict;
}

SEC("cgroup/connect4")
int connect4_only_to_listeners(struct bpf_sock_addr *ctx)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;
	int listening;

	tuple.ipv4.daddr = ctx->user_ip4;
	tuple.ipv4.dport = ctx->user_port;
	if (ctx->type == 1 /* SOCK_STREAM */)
		sk = bpf_sk_lookup_tcp(ctx, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	else
		sk = bpf_sk_lookup_udp(ctx, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return ctx->sk->family == 2 /* AF_INET */;
	listening = sk->state == TCP_LISTEN || sk->protocol == IPPROTO_UDP;
	bpf_sk_release(sk);
	return listening;
}

SEC("cgroup_skb/egress")
int cgroup_skb_tcp_state(struct __sk_buff *skb)
{
	struct bpf_sock *skc = skb->sk, *sk;
	struct bpf_tcp_sock *tp;
	struct tcp_sock *ktp;

	if (!skc)
		return 1;
	ktp = bpf_skc_to_tcp_sock(skc);
	if (ktp && ktp->snd_cwnd > 10)
		count(3);
	sk = bpf_sk_fullsock(skc);
	if (!sk)
		return 1;
	tp = bpf_tcp_sock(sk);
	if (tp && tp->bytes_acked > 4096)
		count(1);
	sk = bpf_get_listener_sock(sk);
	if (sk && sk->src_port == 80)
		count(2);
	return 1;
}

/* A pointer read out of a cast's result, then read through: the kernel's
 * fault-handling loads; the cast is NULL when bpfvm runs it. */
SEC("cgroup_skb/egress")
int cgroup_skb_socket_type(struct __sk_buff *skb)
{
	struct bpf_sock *skc = skb->sk;
	struct tcp_sock *ktp;
	struct socket *sock;

	if (!skc)
		return 1;
	ktp = bpf_skc_to_tcp_sock(skc);
	if (!ktp)
		return 1;
	sock = ktp->inet_conn.icsk_inet.sk.sk_socket;
	if (sock && sock->type == 1)
		count(3);
	return 1;
}

SEC("sk_lookup")
int sk_lookup_dispatch(struct bpf_sk_lookup *ctx)
{
	__u32 key = ctx->local_port & 3;
	struct bpf_sock *sk;
	long err;

	if (ctx->protocol != IPPROTO_TCP)
		return SK_PASS;
	sk = bpf_map_lookup_elem(&listeners, &key);
	if (!sk)
		return SK_PASS;
	err = bpf_sk_assign(ctx, sk, 0);
	bpf_sk_release(sk);
	return err ? SK_DROP : SK_PASS;
}

/* A NULL socket clears the selection (the kernel's ARG_PTR_TO_SOCKET_OR_NULL);
 * the context's socket, once one is assigned, is the same one. */
SEC("sk_lookup")
int sk_lookup_reassign(struct bpf_sk_lookup *ctx)
{
	__u32 key = 1;
	struct bpf_sock *sk;
	int verdict = SK_DROP;

	if (bpf_sk_assign(ctx, NULL, 0))
		return SK_DROP;
	sk = bpf_map_lookup_elem(&listeners, &key);
	if (!sk)
		return SK_PASS;
	if (!bpf_sk_assign(ctx, sk, BPF_SK_LOOKUP_F_REPLACE)) {
		struct bpf_sock *cur = ctx->sk;

		if (cur && cur == sk && cur->state == TCP_LISTEN)
			verdict = SK_PASS;
	}
	bpf_sk_release(sk);
	return verdict;
}

SEC("sk_reuseport")
int reuseport_pick_listener(struct sk_reuseport_md *ctx)
{
	__u32 key = ctx->hash & 3;

	return bpf_sk_select_reuseport(ctx, &listeners, &key, 0) ? SK_DROP : SK_PASS;
}

SEC("tc")
int unsafe_sock_leaked_when_not_listening(struct __sk_buff *skb)
{
	struct bpf_sock_tuple *tuple = packet_tuple(skb);
	struct bpf_sock *sk;

	if (!tuple)
		return TC_ACT_OK;
	sk = bpf_sk_lookup_tcp(skb, tuple, sizeof(tuple->ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return TC_ACT_OK;
	if (sk->state != TCP_LISTEN)
		return TC_ACT_SHOT;
	bpf_sk_release(sk);
	return TC_ACT_OK;
}

SEC("tc")
int unsafe_sock_released_twice(struct __sk_buff *skb)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;

	sk = bpf_sk_lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return TC_ACT_OK;
	bpf_sk_release(sk);
	if (skb->len > 64)
		bpf_sk_release(sk);
	return TC_ACT_OK;
}

SEC("tc")
int unsafe_sock_read_after_release(struct __sk_buff *skb)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;

	sk = bpf_sk_lookup_udp(skb, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return TC_ACT_OK;
	bpf_sk_release(sk);
	return sk->src_port == 53 ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("cgroup/connect4")
int unsafe_sock_read_without_null_check(struct bpf_sock_addr *ctx)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;
	int state;

	sk = bpf_sk_lookup_tcp(ctx, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	state = sk->state;
	if (sk)
		bpf_sk_release(sk);
	return state == TCP_LISTEN;
}

SEC("cgroup_skb/egress")
int unsafe_context_socket_released(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	if (sk)
		bpf_sk_release(sk);
	return 1;
}

SEC("tc")
int unsafe_sock_held_across_tail_call(struct __sk_buff *skb)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;

	sk = bpf_sk_lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return TC_ACT_OK;
	bpf_tail_call(skb, &next_stage, 0);
	bpf_sk_release(sk);
	return TC_ACT_OK;
}

SEC("tc")
int unsafe_fullsock_used_after_release(struct __sk_buff *skb)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk, *full;
	int proto;

	sk = bpf_skc_lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return TC_ACT_OK;
	full = bpf_sk_fullsock(sk);
	bpf_sk_release(sk);
	if (!full)
		return TC_ACT_OK;
	proto = full->protocol;
	return proto == IPPROTO_TCP ? TC_ACT_OK : TC_ACT_SHOT;
}

SEC("sk_lookup")
int unsafe_sockmap_socket_leaked(struct bpf_sk_lookup *ctx)
{
	__u32 key = 0;
	struct bpf_sock *sk;

	sk = bpf_map_lookup_elem(&listeners, &key);
	if (!sk)
		return SK_PASS;
	return bpf_sk_assign(ctx, sk, 0) ? SK_DROP : SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
