/* BPF_PROG_TYPE_PERF_EVENT: the registers (u64 reads) and sample_period and
 * addr, whole and narrow. */
#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>
#include <bpf/bpf_helpers.h>
#include "ctx_read.h"

SEC("perf_event")
int perf_sample(struct bpf_perf_event_data *ctx)
{
#pragma unroll
	for (int i = 0; i < 21; i++)
		READ_AT(ctx, __u64, i * 8);
	READ(ctx->sample_period);
	READ(ctx->addr);
	READ_AT(ctx, __u32, 168);
	READ_AT(ctx, __u16, 180);
	READ_AT(ctx, __u8, 183);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
