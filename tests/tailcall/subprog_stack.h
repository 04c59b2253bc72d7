/* The kernel's stack rule for tail calls made from subprograms (SEMANTICS.md:
 * tail calls; the verifier's check_max_stack_depth): the frames above the
 * subprogram that makes the tail call, each rounded up to 16 bytes, must
 * total under 256 bytes, or the program is refused at load.
 *
 * A source that includes this header defines OUTER_FRAME (bytes of stack the
 * entry program uses, written at r10 - OUTER_FRAME) and, for a chain of two
 * calls, MIDDLE_FRAME (the same for a subprogram between them). The entry
 * program returns 1 + what the callee returns (target: 20; fall-through: 5 + cb[4], with cb[4] = 0).
 * A source that defines OWN_STACK_ENTRY writes its own entry program, with
 * tail_from_sub() and TOUCH() from here. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int stack_target(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct __sk_buff *));
} stack_jmp SEC(".maps") = {
	.values = { [0] = (void *)&stack_target },
};

/* A store at r10 - depth makes the frame exactly `depth` bytes deep. */
#define TOUCH_STACK(depth) asm volatile("r1 = 0; *(u64 *)(r10 - " #depth ") = r1" ::: "r1")
#define TOUCH(depth) TOUCH_STACK(depth)

static __noinline int tail_from_sub(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &stack_jmp, 0);
	/* Not a constant, or clang would fold it into the caller's result. */
	return 5 + skb->cb[4];
}

#ifndef OWN_STACK_ENTRY
#ifdef MIDDLE_FRAME
static __noinline int middle(struct __sk_buff *skb)
{
	TOUCH(MIDDLE_FRAME);
	return tail_from_sub(skb);
}
#define CALLEE middle
#else
#define CALLEE tail_from_sub
#endif

SEC("tc")
int stack_entry(struct __sk_buff *skb)
{
	TOUCH(OUTER_FRAME);
	return CALLEE(skb) + 1;
}
#endif

SEC("tc")
int stack_target(struct __sk_buff *skb)
{
	return 20;
}

char _license[] SEC("license") = "GPL";
