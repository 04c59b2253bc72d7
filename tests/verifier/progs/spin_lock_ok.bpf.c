/* A counter updated under its element's bpf_spin_lock. */
#include "counters.h"

SEC("tc")
int count_locked(struct __sk_buff *skb)
{
	__u32 key = skb->protocol;
	struct counter *c = bpf_map_lookup_elem(&counters, &key);

	if (!c)
		return 0;
	bpf_spin_lock(&c->lock);
	c->packets++;
	bpf_spin_unlock(&c->lock);
	return 0;
}
