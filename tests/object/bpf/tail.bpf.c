/* A whole object at work: an XDP entry program tail-calls the program that
 * the prog array holds statically in slot [0]; the target counts its runs
 * in global data and answers XDP_TX. Loading it fills the slot with the
 * target's id; a test run shows the chain. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int xdp_target(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__array(values, int(void *));
} jumps SEC(".maps") = {
	.values = { [0] = (void *)&xdp_target },
};

__u64 target_runs = 100;		/* .data */
const volatile __u32 verdict = XDP_TX;	/* .rodata */

SEC("xdp")
int xdp_entry(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jumps, 0);
	return XDP_ABORTED; /* only when the slot is empty */
}

SEC("xdp")
int xdp_target(struct xdp_md *ctx)
{
	target_runs++;
	return verdict;
}

char LICENSE[] SEC("license") = "GPL";
