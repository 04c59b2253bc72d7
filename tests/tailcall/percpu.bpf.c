/* A PERCPU_ARRAY slot as a scratchpad between the programs of one chain, and
 * bpf_get_smp_processor_id() constant along it (SEMANTICS.md: per-CPU
 * execution), in the manner of seed 000's cgroup chain.
 *
 *   stage_0 -> stage_1 -> stage_2 (tc), through `stages`:
 *     stage_0  starts the scratchpad: sum = skb->len, cpu = this CPU, hops = 1;
 *     stage_1  sum = sum * 3 + 1, hops++, counts a CPU change;
 *     stage_2  sum += 1000 * hops, counts a CPU change, and returns
 *              sum + 1000000 * changes (0 changes expected).
 *   rtp_stage_0 -> rtp_stage_1 (raw_tracepoint, through `rtp_stages`): the
 *     same on the CPU a test run names with BPF_F_TEST_RUN_ON_CPU; returns
 *     the CPU + 100 * changes and adds args[0] to the scratchpad's sum. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct scratch {
	__u64 sum;
	__u32 cpu;
	__u32 hops;
	__u32 changes;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratchpad SEC(".maps");

int stage_1(struct __sk_buff *skb);
int stage_2(struct __sk_buff *skb);
int rtp_stage_1(struct bpf_raw_tracepoint_args *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 3);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct __sk_buff *));
} stages SEC(".maps") = {
	.values = { [1] = (void *)&stage_1, [2] = (void *)&stage_2 },
};

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct bpf_raw_tracepoint_args *));
} rtp_stages SEC(".maps") = {
	.values = { [1] = (void *)&rtp_stage_1 },
};

static __always_inline struct scratch *scratch_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratchpad, &zero);
}

static __always_inline void count_cpu_change(struct scratch *s)
{
	if (s->cpu != bpf_get_smp_processor_id())
		s->changes++;
}

SEC("tc")
int stage_0(struct __sk_buff *skb)
{
	struct scratch *s = scratch_get();

	if (!s)
		return -1;
	s->sum = skb->len;
	s->cpu = bpf_get_smp_processor_id();
	s->hops = 1;
	s->changes = 0;
	bpf_tail_call(skb, &stages, 1);
	return -2;
}

SEC("tc")
int stage_1(struct __sk_buff *skb)
{
	struct scratch *s = scratch_get();

	if (!s)
		return -1;
	s->sum = s->sum * 3 + 1;
	s->hops++;
	count_cpu_change(s);
	bpf_tail_call(skb, &stages, 2);
	return -3;
}

SEC("tc")
int stage_2(struct __sk_buff *skb)
{
	struct scratch *s = scratch_get();

	if (!s)
		return -1;
	s->hops++;
	s->sum += 1000 * s->hops;
	count_cpu_change(s);
	return s->sum + 1000000 * s->changes;
}

SEC("raw_tracepoint/sys_enter")
int rtp_stage_0(struct bpf_raw_tracepoint_args *ctx)
{
	struct scratch *s = scratch_get();

	if (!s)
		return -1;
	s->cpu = bpf_get_smp_processor_id();
	s->hops = 1;
	s->changes = 0;
	bpf_tail_call(ctx, &rtp_stages, 1);
	return -2;
}

SEC("raw_tracepoint/sys_enter")
int rtp_stage_1(struct bpf_raw_tracepoint_args *ctx)
{
	struct scratch *s = scratch_get();

	if (!s)
		return -1;
	s->hops++;
	s->sum += ctx->args[0];
	count_cpu_change(s);
	return s->cpu + 100 * s->changes;
}

char _license[] SEC("license") = "GPL";
