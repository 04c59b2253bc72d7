/* The legacy "maps" section, written by hand as older programs did. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def SEC("maps") legacy_hash = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = 4,
	.value_size = 8,
	.max_entries = 16,
};

struct bpf_map_def SEC("maps") legacy_array = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = 4,
	.value_size = 4,
	.max_entries = 2,
	.map_flags = 0,
};

SEC("socket")
int legacy_prog(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *a = bpf_map_lookup_elem(&legacy_hash, &key);
	__u32 *b = bpf_map_lookup_elem(&legacy_array, &key);

	return (a ? *a : 0) + (b ? *b : 0);
}

char LICENSE[] SEC("license") = "MIT";
