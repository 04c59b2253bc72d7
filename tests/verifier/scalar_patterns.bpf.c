/* clang's ways with bounded scalars, as users write them: an index checked
 * then used, a signed index checked on both ends, the low half of a 64-bit
 * value checked, a loop counter indexing an array, an index kept in a copy
 * that survives a helper call. The kernel accepts each; so must bpfvm
 * (test_scalar_patterns). */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#define SLOTS 12

struct counters {
	__u32 slot[SLOTS];
	__u64 wide;
	__s32 signed_index;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct counters);
} counters SEC(".maps");

static __always_inline struct counters *lookup(struct __sk_buff *skb)
{
	__u32 key = skb->mark & 15;

	return bpf_map_lookup_elem(&counters, &key);
}

SEC("tc")
int index_checked_then_used(struct __sk_buff *skb)
{
	struct counters *c = lookup(skb);
	__u32 i = skb->len;

	if (!c || i >= SLOTS)
		return TC_ACT_OK;
	c->slot[i] += 1;
	return TC_ACT_OK;
}

SEC("tc")
int signed_index_checked_on_both_ends(struct __sk_buff *skb)
{
	struct counters *c = lookup(skb);
	int i;

	if (!c)
		return TC_ACT_OK;
	i = c->signed_index;
	if (i < 0 || i >= SLOTS)
		return TC_ACT_OK;
	c->slot[i] += 1;
	return TC_ACT_OK;
}

SEC("tc")
int low_half_of_a_wide_value(struct __sk_buff *skb)
{
	struct counters *c = lookup(skb);
	__u32 low;

	if (!c)
		return TC_ACT_OK;
	low = (__u32)c->wide;
	if (low >= SLOTS)
		return TC_ACT_OK;
	c->slot[low] = (__u32)(c->wide >> 32);
	return TC_ACT_OK;
}

SEC("tc")
int loop_counter_indexes(struct __sk_buff *skb)
{
	struct counters *c = lookup(skb);
	__u32 sum = 0;

	if (!c)
		return TC_ACT_OK;
#pragma clang loop unroll(disable)
	for (int i = 0; i < SLOTS; i++)
		sum += c->slot[i];
	c->wide = sum;
	return TC_ACT_OK;
}

SEC("tc")
int index_survives_a_call(struct __sk_buff *skb)
{
	struct counters *c;
	__u32 i = skb->len % 64;

	if (i >= SLOTS)
		return TC_ACT_OK;
	c = lookup(skb);
	if (!c)
		return TC_ACT_OK;
	c->slot[i] = (__u32)bpf_ktime_get_ns();
	c->slot[SLOTS - 1 - i] += 1;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
