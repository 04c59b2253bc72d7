// SPDX-License-Identifier: GPL-2.0
/* A sock_ops program keeping per-socket state in socket local storage (the
 * tcp_rtt selftest's shape): the socket pointer is checked for NULL first. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct tcp_rtt_state {
	u32 invoked;
	u32 dsack_dups;
	u32 delivered;
	u32 icsk_retransmits;
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct tcp_rtt_state);
} socket_storage_map SEC(".maps");

SEC("sockops")
int sockops_rtt(struct bpf_sock_ops *skops)
{
	struct tcp_rtt_state *storage;
	struct bpf_sock *sk;
	int op = (int)skops->op;

	sk = skops->sk;
	if (!sk)
		return 1;
	storage = bpf_sk_storage_get(&socket_storage_map, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!storage)
		return 1;
	if (op == BPF_SOCK_OPS_TCP_CONNECT_CB) {
		bpf_sock_ops_cb_flags_set(skops, BPF_SOCK_OPS_RTT_CB_FLAG);
		return 1;
	}
	if (op != BPF_SOCK_OPS_RTT_CB)
		return 1;
	storage->invoked++;
	storage->dsack_dups = skops->total_retrans;
	storage->delivered = skops->snd_cwnd;
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
