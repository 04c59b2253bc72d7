/* Programs whose subprograms make tail calls below frames of chosen sizes
 * (SEMANTICS.md, tail calls: the frames above such a subprogram must use
 * less than 256 bytes). TOUCH(n) makes the frame n bytes deep, as the
 * verifier counts it. Linux 6.18 loads tail_stack_fits.bpf.o and refuses
 * tail_stack_too_large.bpf.o with "tail_calls are not allowed when call
 * stack of previous frames is 256 bytes. Too large". */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define TOUCH(n) asm volatile("r0 = 0; *(u64 *)(r10 - %[off]) = r0" ::[off] "i"(n) : "r0")

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, 4);
	__uint(value_size, 4);
} jmp SEC(".maps");

static __noinline int tail_calling(struct xdp_md *ctx)
{
	TOUCH(256); /* its own frame does not count */
	bpf_tail_call(ctx, &jmp, 0);
	return 1;
}

static __noinline int middle(struct xdp_md *ctx)
{
	TOUCH(MIDDLE_STACK);
	return tail_calling(ctx);
}

SEC("xdp")
int entry(struct xdp_md *ctx)
{
	TOUCH(ENTRY_STACK);
	return middle(ctx);
}

char LICENSE[] SEC("license") = "GPL";
