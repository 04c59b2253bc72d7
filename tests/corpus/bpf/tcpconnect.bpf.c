// SPDX-License-Identifier: GPL-2.0
/* tcpconnect: the socket kept by thread at tcp_v4_connect's entry, its
 * addresses read with CO-RE at the return, a count per destination in a
 * hash and an event in a perf buffer. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

struct conn_event {
	u32 saddr, daddr;
	u16 dport;
	u32 pid;
	char task[16];
};

struct ipv4_flow {
	u32 saddr, daddr;
	u16 dport;
};

const volatile bool do_count = false;
const volatile pid_t filter_pid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, u32);
	__type(value, struct sock *);
} sockets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct ipv4_flow);
	__type(value, u64);
} ipv4_count SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(u32));
} events SEC(".maps");

SEC("kprobe/tcp_v4_connect")
int BPF_KPROBE(tcp_v4_connect, struct sock *sk)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tid = id;

	if (filter_pid && (id >> 32) != filter_pid)
		return 0;
	bpf_map_update_elem(&sockets, &tid, &sk, 0);
	return 0;
}

static void count_v4(struct sock *sk, u16 dport)
{
	struct ipv4_flow key = {};
	static const u64 zero;
	u64 *val;

	BPF_CORE_READ_INTO(&key.saddr, sk, __sk_common.skc_rcv_saddr);
	BPF_CORE_READ_INTO(&key.daddr, sk, __sk_common.skc_daddr);
	key.dport = dport;
	val = bpf_map_lookup_elem(&ipv4_count, &key);
	if (!val) {
		bpf_map_update_elem(&ipv4_count, &key, &zero, BPF_NOEXIST);
		val = bpf_map_lookup_elem(&ipv4_count, &key);
		if (!val)
			return;
	}
	__sync_fetch_and_add(val, 1);
}

static void send_v4(struct pt_regs *ctx, struct sock *sk, u16 dport, u32 pid)
{
	struct conn_event event = {};

	event.pid = pid;
	event.dport = dport;
	BPF_CORE_READ_INTO(&event.saddr, sk, __sk_common.skc_rcv_saddr);
	BPF_CORE_READ_INTO(&event.daddr, sk, __sk_common.skc_daddr);
	bpf_get_current_comm(event.task, sizeof(event.task));
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &event, sizeof(event));
}

SEC("kretprobe/tcp_v4_connect")
int BPF_KRETPROBE(tcp_v4_connect_ret, int ret)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tid = id;
	struct sock **skpp;
	u16 dport;

	skpp = bpf_map_lookup_elem(&sockets, &tid);
	if (!skpp)
		return 0;
	if (ret)
		goto end;
	dport = BPF_CORE_READ(*skpp, __sk_common.skc_dport);
	if (do_count)
		count_v4(*skpp, dport);
	else
		send_v4(ctx, *skpp, dport, id >> 32);
end:
	bpf_map_delete_elem(&sockets, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
