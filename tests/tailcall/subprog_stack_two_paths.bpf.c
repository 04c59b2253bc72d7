/* One tail-calling subprogram reached on two paths: straight from the entry
 * program (16 bytes above it) and through a 240-byte frame (256 above it).
 * The kernel checks every path, so the second one refuses the load however
 * the first was found to fit (see subprog_stack.h). */
#define OWN_STACK_ENTRY
#include "subprog_stack.h"

/* A frame of 16 bytes between the caller and tail_from_sub. */
static __noinline int small(struct __sk_buff *skb)
{
	TOUCH(16);
	return tail_from_sub(skb);
}

static __noinline int deep(struct __sk_buff *skb)
{
	TOUCH(240);
	return small(skb);
}

SEC("tc")
int stack_entry(struct __sk_buff *skb)
{
	TOUCH(16);
	/* small() first, so that a walk in instruction order checks it (and
	 * may remember it fits) before it meets it again under deep(). */
	int fits = small(skb);

	if (skb->len > 1000)
		return deep(skb);
	return fits + 1;
}
