/* A bpf_for_each_map_elem callback returns 0 or 1 too. */
#include "helpers_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} values SEC(".maps");

static long visit(void *map, __u32 *key, __u64 *value, void *ctx)
{
	return 2;
}

SEC("tc")
int for_each_bad_callback(struct __sk_buff *skb)
{
	bpf_for_each_map_elem(&values, visit, NULL, 0);
	return 0;
}
