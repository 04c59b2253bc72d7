/* Global variables of every size, read and written by an XDP program, and
 * tail calls whose keys come from them: how programs use .data, .rodata
 * and .bss. The interpreter runs `r = &global ll; r' = *(size *)(r + off)`
 * as one fused instruction and `r2 = map ll; call bpf_tail_call` as
 * another (engine/interp.h); these cases pin both against the kernel,
 * including tail calls that fall through (a key past the end, an empty
 * slot) and repeated runs that see the previous run's writes. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

volatile __u8 small = 0xa5;
volatile __s16 half = -1234;
volatile __u32 word = 0xdeadbeef;
volatile __s64 wide = -0x123456789aLL;
volatile const __u32 key_past_the_end = 7;
volatile __u32 fallthroughs;
volatile __u64 total;

int xdp_global_target(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct xdp_md *));
} global_jmp SEC(".maps") = {
	.values = { [1] = (void *)&xdp_global_target },
};

SEC("xdp")
int xdp_global_target(struct xdp_md *ctx)
{
	total += 1000;
	return XDP_TX;
}

SEC("xdp")
int xdp_global_reads(struct xdp_md *ctx)
{
	total += small + half + word + wide;
	small += 1;
	half -= 2;
	word ^= 0xffff;
	wide *= 3;
	bpf_tail_call(ctx, &global_jmp, key_past_the_end);
	fallthroughs++;
	bpf_tail_call(ctx, &global_jmp, word & 2);	/* slot 0: empty */
	fallthroughs++;
	bpf_tail_call(ctx, &global_jmp, (word & 2) + 1);
	return XDP_DROP;
}

/* A tail call on a branch that a frozen .rodata flag makes dead may name a
 * map that is not a prog array: the verifier never visits it, the kernel
 * loads the program, and so must bpfvm (its decoder once assumed every
 * tail call's map had slots, and crashed). */
const volatile __u32 tail_calls_enabled = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} not_a_prog_array SEC(".maps");

SEC("xdp")
int xdp_dead_tail_call(struct xdp_md *ctx)
{
	if (tail_calls_enabled)
		bpf_tail_call(ctx, &not_a_prog_array, 0);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
