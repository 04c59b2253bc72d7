/* An array with an 8-byte key: BPF_MAP_CREATE refuses it (EINVAL), so the
 * load fails naming the map. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u64);
	__type(value, __u32);
} wide_key SEC(".maps");

SEC("xdp")
int uses_it(struct xdp_md *ctx)
{
	__u64 key = 0;

	return bpf_map_lookup_elem(&wide_key, &key) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
