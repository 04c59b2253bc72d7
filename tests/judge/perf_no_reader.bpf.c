/* bpf_perf_event_output when no one reads: `bpftool prog run` (and
 * `bpfvm prog run`) open no perf buffer, so every slot of the array is
 * empty. The kernel's __bpf_perf_event_output checks the index first
 * (-E2BIG), then the slot (-ENOENT). Each program returns the errno, so
 * the return values compare the two. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(max_entries, 64);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

static __always_inline int output_errno(struct xdp_md *ctx, __u64 flags)
{
	__u64 sample = 0x5eed;

	return -(int)bpf_perf_event_output(ctx, &events, flags, &sample, sizeof(sample));
}

SEC("xdp")
int perf_current_cpu(struct xdp_md *ctx)
{
	return output_errno(ctx, BPF_F_CURRENT_CPU);
}

SEC("xdp")
int perf_last_slot(struct xdp_md *ctx)
{
	return output_errno(ctx, 63);
}

SEC("xdp")
int perf_past_max_entries(struct xdp_md *ctx)
{
	return output_errno(ctx, 64);
}

char LICENSE[] SEC("license") = "GPL";
