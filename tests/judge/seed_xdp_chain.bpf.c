/* Seed 002 (bcc's xdp_chain.c) in libbpf style: prog_entry reports through
 * a PERF_EVENT_ARRAY and tail-calls jmp_table[0]; prog_drop is installed
 * there statically. xdp_chain_empty.bpf.c is the same with an empty table. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct event_t {
	__u64 timestamp;
	char message[128];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

int prog_drop(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 8);
	__type(key, int);
	__array(values, int(struct xdp_md *));
} jmp_table SEC(".maps") = {
#ifndef EMPTY_TABLE
	.values = { [0] = (void *)&prog_drop },
#endif
};

SEC("xdp")
int prog_drop(struct xdp_md *ctx)
{
	struct event_t e = {
		.timestamp = bpf_ktime_get_ns(),
		.message = "Enter prog_drop",
	};

	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return XDP_DROP;
}

SEC("xdp")
int prog_entry(struct xdp_md *ctx)
{
	struct event_t e_enter = {
		.timestamp = bpf_ktime_get_ns(),
		.message = "Enter prog_entry",
	};
	struct event_t e_exit = {
		.message = "Exit prog_entry",
	};
	long ret;

	ret = bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e_enter, sizeof(e_enter));
	bpf_tail_call(ctx, &jmp_table, 0);

	e_exit.timestamp = bpf_ktime_get_ns();
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e_exit, sizeof(e_exit));
	/* No reader is attached: the output fails the same way everywhere. */
	return ret == 0 ? XDP_PASS : XDP_TX;
}

char _license[] SEC("license") = "GPL";
