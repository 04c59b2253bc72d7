// SPDX-License-Identifier: GPL-2.0
/* tcpstates: the sock:inet_sock_set_state tracepoint's record read from the
 * context, the time of the last change per socket, an event per change in
 * a perf buffer; and an fentry twin that reads the socket directly. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define AF_INET 2
#define IPPROTO_TCP_ 6

struct state_event {
	u64 skaddr;
	u64 ts_us;
	u64 delta_us;
	u32 pid;
	int oldstate, newstate;
	u16 family, sport, dport;
	char task[16];
};

const volatile short target_family = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u64);
	__type(value, u64);
} timestamps SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(u32));
} events SEC(".maps");

SEC("tracepoint/sock/inet_sock_set_state")
int handle_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	u64 sk = (u64)ctx->skaddr, *tsp, delta_us, ts;
	struct state_event event = {};

	if (ctx->protocol != IPPROTO_TCP_)
		return 0;
	if (target_family && target_family != ctx->family)
		return 0;
	tsp = bpf_map_lookup_elem(&timestamps, &sk);
	ts = bpf_ktime_get_ns();
	delta_us = tsp ? (ts - *tsp) / 1000 : 0;
	event.skaddr = sk;
	event.ts_us = ts / 1000;
	event.delta_us = delta_us;
	event.pid = bpf_get_current_pid_tgid() >> 32;
	event.oldstate = ctx->oldstate;
	event.newstate = ctx->newstate;
	event.family = ctx->family;
	event.sport = ctx->sport;
	event.dport = ctx->dport;
	bpf_get_current_comm(&event.task, sizeof(event.task));
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &event, sizeof(event));
	if (ctx->newstate == TCP_CLOSE)
		bpf_map_delete_elem(&timestamps, &sk);
	else
		bpf_map_update_elem(&timestamps, &sk, &ts, BPF_ANY);
	return 0;
}

SEC("fentry/tcp_set_state")
int BPF_PROG(fentry_set_state, struct sock *sk, int state)
{
	u64 key = (u64)sk, ts = bpf_ktime_get_ns();

	if (sk->__sk_common.skc_family != AF_INET)
		return 0;
	if (sk->__sk_common.skc_state == state)
		return 0;
	bpf_map_update_elem(&timestamps, &key, &ts, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
