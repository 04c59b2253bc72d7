/* A prog array owned by a plain XDP program, statically given an xdp.frags
 * program: the kernel refuses the slot (bpf_prog_map_compatible compares
 * xdp_has_frags; observed on 6.18: "failed to initialize slot [0]", -22). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int frags_target(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__array(values, int(void *));
} jumps SEC(".maps") = {
	.values = { [0] = (void *)&frags_target },
};

SEC("xdp")
int xdp_entry(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jumps, 0);
	return XDP_PASS;
}

SEC("xdp.frags")
int frags_target(struct xdp_md *ctx)
{
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
