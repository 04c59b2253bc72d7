/* A tail call in a subprogram declared void: refused before verification,
 * as the kernel's check_btf_func. */
#include "int_return_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} jump_table SEC(".maps");

SUBPROG void jump_to_second(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jump_table, 1);
}

SEC("socket")
int tail_call_in_void_subprog(struct __sk_buff *skb)
{
	jump_to_second(skb);
	return 0;
}
