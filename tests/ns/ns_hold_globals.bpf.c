/* A program whose maps are none of them pinned: its global data (.data,
 * .rodata) and a hash map. Pinned alone by one process that then exits, it
 * must keep them for the next process that opens it, as a kernel program
 * holds its used maps (tests/ns/test_ns_prog_hold.c). Each run adds `step`
 * (.rodata) to `total` (.data) and records the sum in hold_hash[1]. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} hold_hash SEC(".maps");

__u64 total = 100;
const volatile __u64 step = 5;

SEC("xdp")
int hold_count(struct xdp_md *ctx)
{
	__u32 key = 1;
	__u64 sum;

	total += step;
	sum = total;
	bpf_map_update_elem(&hold_hash, &key, &sum, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
