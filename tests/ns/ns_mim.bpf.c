/* Maps of maps pinned by name and statically initialised, as a libbpf user
 * writes them: an ARRAY_OF_MAPS and a HASH_OF_MAPS whose inner maps are
 * one-slot counters. mim_count adds 1 to the counter of every inner map
 * the two outer maps name and returns how many it found, so that a test
 * sees which maps a program of any process reaches. Loaded by bpfvm in a
 * namespace and by the kernel alike (tests/ns/test_ns_map_in_map.c). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MIM_ARRAY_SLOTS 4
#define MIM_HASH_KEYS 8

struct mim_counter {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
};

struct mim_counter mim_inner_a SEC(".maps");
struct mim_counter mim_inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, MIM_ARRAY_SLOTS);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct mim_counter);
} mim_array SEC(".maps") = {
	.values = { [0] = &mim_inner_a, [1] = &mim_inner_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, MIM_HASH_KEYS);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct mim_counter);
} mim_hash SEC(".maps") = {
	.values = { [2] = &mim_inner_b },
};

static __always_inline int mim_count_in(void *inner)
{
	__u32 zero = 0;
	__u64 *count;

	if (!inner)
		return 0;
	count = bpf_map_lookup_elem(inner, &zero);
	if (!count)
		return 0;
	__sync_fetch_and_add(count, 1);
	return 1;
}

SEC("tc")
int mim_count(struct __sk_buff *skb)
{
	int found = 0;

#pragma clang loop unroll(full)
	for (__u32 i = 0; i < MIM_ARRAY_SLOTS; i++) {
		__u32 key = i;

		found += mim_count_in(bpf_map_lookup_elem(&mim_array, &key));
	}
#pragma clang loop unroll(full)
	for (__u32 i = 0; i < MIM_HASH_KEYS; i++) {
		__u32 key = i;

		found += mim_count_in(bpf_map_lookup_elem(&mim_hash, &key));
	}
	return found;
}

char LICENSE[] SEC("license") = "GPL";
