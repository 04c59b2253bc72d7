/* Reads a field that the target (core_target.bpf.c) lacks, on a path that
 * runs: the relocation poisons the load, and the verifier rejects the
 * program there, with the kernel's words. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct core_pair {
	int a;
	int b;
	int only_local;
} __attribute__((preserve_access_index));

SEC("tc")
int read_missing(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct core_pair *p = data;

	if (data + 64 > end)
		return 1;
	return p->only_local;
}

char LICENSE[] SEC("license") = "GPL";
