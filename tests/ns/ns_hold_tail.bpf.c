/* A tail-call entry whose prog array is not pinned: when only the program
 * is pinned, the array's last user reference is its loader's, and its
 * slots must empty when that goes (closed, or the process killed), while
 * the program keeps the array itself (tests/ns/test_ns_prog_hold.c). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} hold_jmp SEC(".maps");

SEC("xdp")
int hold_entry(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &hold_jmp, 0);
	return XDP_PASS;
}

SEC("xdp")
int hold_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
