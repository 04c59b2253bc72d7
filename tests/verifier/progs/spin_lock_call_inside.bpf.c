/* No helper call while a bpf_spin_lock is held. */
#include "counters.h"

SEC("tc")
int call_under_lock(struct __sk_buff *skb)
{
	__u32 key = skb->protocol;
	struct counter *c = bpf_map_lookup_elem(&counters, &key);

	if (!c)
		return 0;
	bpf_spin_lock(&c->lock);
	c->packets += bpf_get_prandom_u32();
	bpf_spin_unlock(&c->lock);
	return 0;
}
