/* bpf_map_lookup_elem on the hash family, which the JIT calls directly with
 * the key size known (test_jit_hash_lookup.c): keys of 4, 8 and 16 bytes
 * (the specialised lookups) and of 6 bytes (the generic one, jhash over
 * bytes), HASH, LRU_HASH, PERCPU_HASH and LRU_PERCPU_HASH, hits and
 * misses, and writes through the returned value. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct key16 {
	__u64 lo;
	__u64 hi;
};

struct key6 {
	__u8 bytes[6];
};

#define HASH_MAP(name, map_type, key_type)          \
	struct {                                    \
		__uint(type, map_type);             \
		__uint(max_entries, 16);            \
		__type(key, key_type);              \
		__type(value, __u64);               \
	} name SEC(".maps")

HASH_MAP(hash_k4, BPF_MAP_TYPE_HASH, __u32);
HASH_MAP(hash_k8, BPF_MAP_TYPE_HASH, __u64);
HASH_MAP(hash_k16, BPF_MAP_TYPE_HASH, struct key16);
HASH_MAP(hash_k6, BPF_MAP_TYPE_HASH, struct key6);
HASH_MAP(lru_k4, BPF_MAP_TYPE_LRU_HASH, __u32);
HASH_MAP(percpu_k4, BPF_MAP_TYPE_PERCPU_HASH, __u32);
HASH_MAP(lru_percpu_k8, BPF_MAP_TYPE_LRU_PERCPU_HASH, __u64);

/* The key is the packet's first bytes (16 of the 64 are read); r0 is the
 * value before it was bumped, or 1000 for a miss. */
#define LOOKUP_PROG(prog, map, key_type)                                     \
	SEC("xdp")                                                           \
	int prog(struct xdp_md *ctx)                                         \
	{                                                                    \
		void *data = (void *)(long)ctx->data;                        \
		void *end = (void *)(long)ctx->data_end;                     \
		key_type key;                                                \
		__u64 *value;                                                \
									     \
		if (data + 16 > end)                                         \
			return 1;                                            \
		__builtin_memcpy(&key, data, sizeof(key));                   \
		value = bpf_map_lookup_elem(&map, &key);                     \
		if (!value)                                                  \
			return 1000;                                         \
		*value += 3;                                                 \
		return (int)(*value - 3);                                    \
	}

LOOKUP_PROG(lookup_hash_k4, hash_k4, __u32)
LOOKUP_PROG(lookup_hash_k8, hash_k8, __u64)
LOOKUP_PROG(lookup_hash_k16, hash_k16, struct key16)
LOOKUP_PROG(lookup_hash_k6, hash_k6, struct key6)
LOOKUP_PROG(lookup_lru_k4, lru_k4, __u32)
LOOKUP_PROG(lookup_percpu_k4, percpu_k4, __u32)
LOOKUP_PROG(lookup_lru_percpu_k8, lru_percpu_k8, __u64)

/* Update and delete (called directly too, jit_inline.c): key from the
 * packet, inserted with the value 77 and read back, then deleted twice;
 * r0 packs the three results. */
SEC("xdp")
int update_delete_k4(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u64 value = 77, *found;
	long updated, deleted, again;
	__u32 key;

	if (data + 16 > end)
		return 1;
	__builtin_memcpy(&key, data, sizeof(key));
	updated = bpf_map_update_elem(&hash_k4, &key, &value, BPF_NOEXIST);
	found = bpf_map_lookup_elem(&hash_k4, &key);
	deleted = bpf_map_delete_elem(&hash_k4, &key);
	again = bpf_map_delete_elem(&hash_k4, &key);
	return (int)(((updated & 0xff) << 24) | ((found ? *found : 0) << 16) |
		     ((deleted & 0xff) << 8) | (again & 0xff));
}

char _license[] SEC("license") = "GPL";
