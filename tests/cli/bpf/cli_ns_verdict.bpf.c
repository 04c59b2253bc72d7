/* An XDP program whose verdict user space sets in `verdict`[0]: `bpfvm
 * run` keeps it running while another process updates the pinned map.
 * Each run prints the verdict it read. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} verdict SEC(".maps");

SEC("xdp")
int xdp_verdict(struct xdp_md *ctx)
{
	__u32 key = 0, *value = bpf_map_lookup_elem(&verdict, &key);
	__u32 action = value ? *value : XDP_ABORTED;

	bpf_printk("verdict=%u", action);
	return (int)action;
}

char LICENSE[] SEC("license") = "GPL";
