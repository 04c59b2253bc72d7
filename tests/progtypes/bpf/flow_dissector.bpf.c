/* BPF_PROG_TYPE_FLOW_DISSECTOR: the packet through data/data_end, and the
 * dissection written through flow_keys. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ctx_read.h"

SEC("flow_dissector")
int dissect(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
	struct bpf_flow_keys *keys = skb->flow_keys;

	if (data + 14 > data_end)
		return BPF_DROP;
	keys->n_proto = *(__u16 *)(data + 12);
	keys->nhoff = 14;
	keys->thoff = keys->nhoff;
	return BPF_OK;
}

char LICENSE[] SEC("license") = "GPL";
