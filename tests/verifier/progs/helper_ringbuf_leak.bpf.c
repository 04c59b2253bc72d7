/* A ring buffer record forgotten on one path: a reference leak. */
#include "helpers_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("tc")
int ringbuf_forgotten(struct __sk_buff *skb)
{
	__u64 *rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);

	if (!rec)
		return 0;
	*rec = skb->len;
	if (skb->len > 100)
		return 1;
	bpf_ringbuf_submit(rec, 0);
	return 0;
}
