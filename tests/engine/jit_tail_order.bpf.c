/* Constant-key tail calls with `r3 = K` before and after `r2 = map ll`
 * (the interpreter fuses both orders into one instruction; the JIT must
 * compile the three instructions as they are): test_jit_inline.c. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int target(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct xdp_md *));
} jmp_table SEC(".maps") = {
	.values = { [1] = (void *)&target },
};

SEC("xdp")
int key_first(struct xdp_md *ctx)
{
	asm volatile("r1 = %[ctx]\n"
		     "r3 = 1\n"
		     "r2 = %[map] ll\n"
		     "call 12\n"
		     :: [ctx] "r"(ctx), [map] "i"(&jmp_table)
		     : "r0", "r1", "r2", "r3", "r4", "r5", "memory");
	return 7;
}

SEC("xdp")
int map_first(struct xdp_md *ctx)
{
	asm volatile("r1 = %[ctx]\n"
		     "r2 = %[map] ll\n"
		     "r3 = 1\n"
		     "call 12\n"
		     :: [ctx] "r"(ctx), [map] "i"(&jmp_table)
		     : "r0", "r1", "r2", "r3", "r4", "r5", "memory");
	return 8;
}

SEC("xdp")
int target(struct xdp_md *ctx)
{
	return 42;
}

char _license[] SEC("license") = "GPL";
