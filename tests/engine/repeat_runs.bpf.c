/* Each run of a repeated test run is a new invocation (test_repeat_runs.c):
 * its tail-call count starts at 0, with a constant key and a run-time one,
 * and its stack is cleared. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int const_hop(struct xdp_md *ctx);
int var_hop(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct xdp_md *));
} hop_table SEC(".maps") = {
	.values = { [0] = (void *)&const_hop, [1] = (void *)&var_hop },
};

__u64 const_hops;
__u64 var_hops;
volatile __u32 var_key = 1;

/* Enters itself until the count runs out: 1 + 33 entries per invocation. */
SEC("xdp")
int const_hop(struct xdp_md *ctx)
{
	const_hops++;
	bpf_tail_call(ctx, &hop_table, 0);
	return 7;
}

SEC("xdp")
int var_hop(struct xdp_md *ctx)
{
	var_hops++;
	bpf_tail_call(ctx, &hop_table, var_key);
	return 8;
}

/* Reads a stack slot before writing it: 1 when it read zero. */
SEC("xdp")
int stale_stack(struct xdp_md *ctx)
{
	__u64 seen;

	asm volatile("%[seen] = *(u64 *)(r10 - 8)\n"
		     "r1 = 0x5a\n"
		     "*(u64 *)(r10 - 8) = r1\n"
		     : [seen] "=r"(seen) :: "r1", "memory");
	return seen ? 2 : 1;
}

char _license[] SEC("license") = "GPL";
