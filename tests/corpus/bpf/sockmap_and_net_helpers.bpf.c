// SPDX-License-Identifier: GPL-2.0
/* The helpers of socket maps, tunnels, sysctls and socket options, called
 * the way the kernel's sockmap selftests and l4lb-style balancers call
 * them: a stream verdict and a message verdict that redirect through a
 * SOCKMAP or SOCKHASH, meter and edit the message; a sock_ops program that
 * puts its socket in both maps; a connect hook that sets an option; a
 * sysctl filter that reads the name and values; the stack of the task a
 * scheduler switch leaves. The unsafe ones hand a helper the wrong map,
 * an unchecked task, or more bytes than its memory. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* <sys/socket.h>'s, which vmlinux.h has not. */
#define SOL_SOCKET 1
#define SO_RCVBUF 8
#define SO_MARK 36

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 4);
	__type(key, u32);
	__type(value, u32);
} peers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 4);
	__type(key, u32);
	__type(value, u32);
} peers_by_port SEC(".maps");

u32 sysctl_name_len = 0;

SEC("sk_skb/stream_verdict")
int stream_to_peer(struct __sk_buff *skb)
{
	u32 port = skb->remote_port >> 16;

	if (bpf_skb_pull_data(skb, 0))
		return SK_DROP;
	if (port & 1)
		return bpf_sk_redirect_hash(skb, &peers_by_port, &port, BPF_F_INGRESS);
	return bpf_sk_redirect_map(skb, &peers, port & 3, 0);
}

SEC("sk_msg")
int message_to_peer(struct sk_msg_md *msg)
{
	u32 key = msg->local_port;

	bpf_msg_apply_bytes(msg, 1024);
	bpf_msg_cork_bytes(msg, 64);
	if (bpf_msg_pull_data(msg, 0, 8, 0) || bpf_msg_push_data(msg, 0, 4, 0) ||
	    bpf_msg_pop_data(msg, 0, 4, 0))
		return SK_DROP;
	if (key & 1)
		return bpf_msg_redirect_hash(msg, &peers_by_port, &key, 0);
	return bpf_msg_redirect_map(msg, &peers, key & 3, BPF_F_INGRESS);
}

SEC("sockops")
int remember_socket(struct bpf_sock_ops *ops)
{
	u32 key = ops->local_port;
	int rcvbuf = 1 << 16;

	if (ops->op != BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB)
		return 1;
	bpf_setsockopt(ops, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	bpf_sock_map_update(ops, &peers, &key, BPF_ANY);
	bpf_sock_hash_update(ops, &peers_by_port, &key, BPF_NOEXIST);
	return 1;
}

SEC("cgroup/connect4")
int mark_connection(struct bpf_sock_addr *ctx)
{
	int mark = 42;

	bpf_setsockopt(ctx, SOL_SOCKET, SO_MARK, &mark, sizeof(mark));
	return 1;
}

SEC("cgroup/sysctl")
int allow_tcp_mem_reads(struct bpf_sysctl *ctx)
{
	char name[32], value[16];
	long n = bpf_sysctl_get_name(ctx, name, sizeof(name), BPF_F_SYSCTL_BASE_NAME);

	if (n < 0)
		return 0;
	sysctl_name_len = n;
	if (bpf_sysctl_get_current_value(ctx, value, sizeof(value)) < 0)
		return ctx->write == 0;
	if (ctx->write && bpf_sysctl_get_new_value(ctx, value, sizeof(value)) > 0)
		return bpf_sysctl_set_new_value(ctx, "0", 2) == 0;
	return 1;
}

SEC("tp_btf/sched_switch")
int switched_out_stack(u64 *ctx)
{
	struct task_struct *prev = (struct task_struct *)ctx[1];
	u64 frames[4];

	return bpf_get_task_stack(prev, frames, sizeof(frames), 0) > 0;
}

SEC("sk_skb/stream_verdict")
int unsafe_redirect_hash_into_map(struct __sk_buff *skb)
{
	u32 port = 1;

	return bpf_sk_redirect_hash(skb, &peers, &port, 0);
}

SEC("sk_msg")
int unsafe_msg_redirect_map_into_hash(struct sk_msg_md *msg)
{
	return bpf_msg_redirect_map(msg, &peers_by_port, 0, 0);
}

SEC("cgroup/sysctl")
int unsafe_sysctl_name_past_buffer(struct bpf_sysctl *ctx)
{
	char name[8];

	bpf_sysctl_get_name(ctx, name, sizeof(name) + 8, 0);
	return name[0] != 0;
}

SEC("tp/sched/sched_switch")
int unsafe_task_stack_of_scalar(void *ctx)
{
	u64 frames[2];

	return bpf_get_task_stack((struct task_struct *)ctx, frames, sizeof(frames), 0) > 0;
}

char LICENSE[] SEC("license") = "GPL";
