/* The refusal is the linking program's alone: a program of the same object
 * that does not call the void LD_ABS subprogram loads (the other one is
 * not autoloaded, SEC("?...")). */
#include "int_return_common.h"

__u64 seen;

SUBPROG void note_first_byte(struct __sk_buff *skb)
{
	seen = load_byte(skb, 0);
}

SEC("?socket")
int calls_void_ld_abs(struct __sk_buff *skb)
{
	note_first_byte(skb);
	return 0;
}

SEC("socket")
int calls_nothing(struct __sk_buff *skb)
{
	return skb->len > 64;
}
