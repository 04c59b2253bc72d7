/* One bad program among good neighbours: bad_ctx_read reads past the end of
 * the XDP context (the verifier refuses it), good_entry tail-calls
 * good_target through a statically initialised prog array, and bad_entry
 * holds the bad program in its own prog array. Loading only good_entry and
 * what it needs (bpfvm_object_autoload_only, `bpfvm prog run OBJ name
 * good_entry`) must work; loading everything must fail with the log. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int good_target(struct xdp_md *ctx);
int bad_ctx_read(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, int(struct xdp_md *ctx));
} good_table SEC(".maps") = {
	.values = { [1] = (void *)&good_target },
};

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, int(struct xdp_md *ctx));
} bad_table SEC(".maps") = {
	.values = { [0] = (void *)&bad_ctx_read },
};

SEC("xdp")
int bad_ctx_read(struct xdp_md *ctx)
{
	/* Past struct xdp_md: "invalid bpf_context access off=400 size=4". */
	return *(volatile __u32 *)((char *)ctx + 400);
}

SEC("xdp")
int good_target(struct xdp_md *ctx)
{
	return XDP_TX;
}

SEC("xdp")
int good_entry(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &good_table, 1);
	return XDP_PASS;
}

SEC("xdp")
int bad_entry(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &bad_table, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
