/* One tail-calling subprogram reached on two paths: straight from the entry
 * program (16 bytes above it) and through a 240-byte frame (256 above it).
 * The kernel checks every path, so the second one refuses the load however
 * the first was found to fit (see subprog_stack.h). */
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

static __noinline int tail_from_sub(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &stack_jmp, 0);
	return 5 + skb->cb[4];
}

/* A frame of 16 bytes between the caller and tail_from_sub. */
static __noinline int small(struct __sk_buff *skb)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 16) = r1" ::: "r1");
	return tail_from_sub(skb);
}

static __noinline int deep(struct __sk_buff *skb)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 240) = r1" ::: "r1");
	return small(skb);
}

SEC("tc")
int stack_entry(struct __sk_buff *skb)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 16) = r1" ::: "r1");
	/* small() first, so that a walk in instruction order checks it (and
	 * may remember it fits) before it meets it again under deep(). */
	int fits = small(skb);

	if (skb->len > 1000)
		return deep(skb);
	return fits + 1;
}

SEC("tc")
int stack_target(struct __sk_buff *skb)
{
	return 20;
}

char _license[] SEC("license") = "GPL";
