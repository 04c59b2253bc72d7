/* Every __sk_buff field a socket filter may read (sk_filter_is_valid_access:
 * no packet pointers, no socket fields, no time stamps, no tc_classid, no
 * wire_len), copied into `fields` (ctx_fields.h); cb[] written, the only
 * area a socket filter may write; narrow loads of 32-bit fields.
 * The verdict keeps len - mark % 16 bytes (all of them when mark is 0). */
#include "ctx_fields.h"

SEC("socket")
int socket_read_fields(struct __sk_buff *skb)
{
	save_skb_common(skb);
	write_skb_cb(skb);
	save_skb_written(skb);
	return skb->len - (skb->mark & 15);
}

SEC("socket")
int socket_narrow_loads(struct __sk_buff *skb)
{
	save_skb_narrow(skb);
	return (__u8)skb->mark;
}

char LICENSE[] SEC("license") = "GPL";
