/* LD_ABS in a subprogram declared void: refused before verification, as
 * the kernel's check_btf_func. */
#include "int_return_common.h"

__u64 seen;

SUBPROG void note_first_byte(struct __sk_buff *skb)
{
	seen = load_byte(skb, 0);
}

SEC("socket")
int ld_abs_in_void_subprog(struct __sk_buff *skb)
{
	note_first_byte(skb);
	return 0;
}
