/* bpf_perf_event_output from XDP with packet bytes appended (the upper 32
 * bits of flags: the kernel's bpf_xdp_event_output): a record of a 4-byte
 * tag followed by the Ethernet header, and the errno of asking for more
 * bytes than the packet has. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(__u32));
} packet_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __s64);
} results SEC(".maps");

static __always_inline void record(__u32 slot, __s64 value)
{
	bpf_map_update_elem(&results, &slot, &value, BPF_ANY);
}

SEC("xdp")
int xdp_emit_headers(struct xdp_md *ctx)
{
	__u32 tag = 0x7a67;
	__u64 len = ctx->data_end - ctx->data;

	record(0, bpf_perf_event_output(ctx, &packet_events, BPF_F_CURRENT_CPU | (14ull << 32),
					&tag, sizeof(tag)));
	record(1, bpf_perf_event_output(ctx, &packet_events,
					BPF_F_CURRENT_CPU | ((len + 1) << 32), &tag, sizeof(tag)));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
