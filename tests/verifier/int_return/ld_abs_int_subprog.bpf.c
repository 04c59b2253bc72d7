/* LD_ABS in a subprogram that returns an int: accepted (a failed load
 * returns 0 from the subprogram, an int like any other). */
#include "int_return_common.h"

SUBPROG int first_byte(struct __sk_buff *skb)
{
	return load_byte(skb, 0);
}

SEC("socket")
int ld_abs_in_int_subprog(struct __sk_buff *skb)
{
	return first_byte(skb) == 0x45 ? 1 : 0;
}
