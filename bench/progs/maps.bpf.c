/* Lookups and updates of each map type bpfvm has. map_setup, which the
 * harness runs once in each engine before any timing, fills the keyed maps;
 * the measured programs then look up keys taken from the packet and update
 * the values in place, so that every run finds the same map shape (the
 * steady state). Return values depend on the keys and on what the lookups
 * found, never on counters that grow with the number of runs. */
#include "bench_common.h"

#define KEYS 8	      /* lookups per run */
#define ENTRIES 256   /* keys map_setup inserts: 0..ENTRIES-1 */

struct counter {
	__u64 packets;
	__u64 bytes;
};

#define KEYED_MAP(name, map_type)                     \
	struct {                                      \
		__uint(type, map_type);               \
		__uint(max_entries, 1024);            \
		__type(key, __u32);                   \
		__type(value, struct counter);        \
	} name SEC(".maps")

KEYED_MAP(array, BPF_MAP_TYPE_ARRAY);
KEYED_MAP(percpu_array, BPF_MAP_TYPE_PERCPU_ARRAY);
KEYED_MAP(hash, BPF_MAP_TYPE_HASH);
KEYED_MAP(percpu_hash, BPF_MAP_TYPE_PERCPU_HASH);
KEYED_MAP(lru_hash, BPF_MAP_TYPE_LRU_HASH);

struct lpm_v4_key {
	__u32 prefixlen;
	__u32 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__type(key, struct lpm_v4_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 64);
	__type(value, __u32);
} queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 64);
	__type(value, __u32);
} stack SEC(".maps");

/* The packet's first 64 bytes, or NULL: key i is byte 8 * i + 3. */
static __always_inline __u8 *packet_keys(struct xdp_md *ctx)
{
	__u8 *byte = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	return (void *)(byte + 64) > end ? NULL : byte;
}

static __always_inline __u32 packet_key(const __u8 *bytes, int i)
{
	return bytes[8 * i + 3] % ENTRIES;
}

static __always_inline __u32 packet_len(struct xdp_md *ctx)
{
	return ctx->data_end - ctx->data;
}

/* The keys are copies on the stack, the loop counter stays in a register:
 * a counter whose address went to a helper would lose its bounds and the
 * loop could not be proven to end. */
static __always_inline int setup_key(__u32 index)
{
	struct counter zero = {};
	struct lpm_v4_key prefix = { .prefixlen = 8 + index % 25,
				     .addr = bpf_htonl(0x0a000000 | index << 12) };
	__u32 key = index, value = index;

	if (bpf_map_update_elem(&hash, &key, &zero, BPF_ANY) ||
	    bpf_map_update_elem(&percpu_hash, &key, &zero, BPF_ANY) ||
	    bpf_map_update_elem(&lru_hash, &key, &zero, BPF_ANY))
		return 1;
	return bpf_map_update_elem(&lpm, &prefix, &value, BPF_ANY) ? 2 : 0;
}

SEC("xdp")
int map_setup(struct xdp_md *ctx)
{
	for (__u32 index = 0; index < ENTRIES; index++) {
		int err = setup_key(index);

		if (err)
			return err;
	}
	return 0;
}

/* One body for the five keyed maps: KEYS lookups, each found value counted
 * in place (plain increments: a test run holds its CPU). */
#define KEYED_PROG(map)                                                   \
	SEC("xdp")                                                        \
	int map_##map(struct xdp_md *ctx)                                 \
	{                                                                 \
		__u32 len = packet_len(ctx), result = 0;                  \
		__u8 *bytes = packet_keys(ctx);                           \
                                                                          \
		if (!bytes)                                               \
			return 0xbad;                                     \
		for (int i = 0; i < KEYS; i++) {                          \
			__u32 key = packet_key(bytes, i);                 \
			struct counter *value;                            \
                                                                          \
			value = bpf_map_lookup_elem(&map, &key);          \
			if (!value)                                       \
				continue;                                 \
			value->packets++;                                 \
			value->bytes += len;                              \
			result = result * 31 + key;                       \
		}                                                         \
		return result;                                            \
	}

KEYED_PROG(array)
KEYED_PROG(percpu_array)
KEYED_PROG(hash)
KEYED_PROG(percpu_hash)
KEYED_PROG(lru_hash)

/* Longest-prefix match of addresses built from the packet's bytes, in
 * 10.0.0.0/8 so that each finds a prefix of some length. */
SEC("xdp")
int map_lpm_trie(struct xdp_md *ctx)
{
	__u8 *bytes = packet_keys(ctx);
	__u32 result = 0;

	if (!bytes)
		return 0xbad;
	for (int i = 0; i < KEYS; i++) {
		struct lpm_v4_key key = { .prefixlen = 32,
					  .addr = bpf_htonl(0x0a000000 |
							    packet_key(bytes, i) << 12 | i) };
		__u32 *value = bpf_map_lookup_elem(&lpm, &key);

		result = result * 31 + (value ? *value : 0xffff);
	}
	return result;
}

/* Pushes KEYS values on the queue and the stack and pops them back: both
 * maps are empty again after each run. */
SEC("xdp")
int map_queue_stack(struct xdp_md *ctx)
{
	__u8 *bytes = packet_keys(ctx);
	__u32 result = 0, value;

	if (!bytes)
		return 0xbad;
	for (int i = 0; i < KEYS; i++) {
		value = packet_key(bytes, i);
		if (bpf_map_push_elem(&queue, &value, 0) ||
		    bpf_map_push_elem(&stack, &value, 0))
			return 0xf0;
	}
	for (int i = 0; i < KEYS; i++) {
		if (bpf_map_pop_elem(&queue, &value))
			return 0xe0;
		result = result * 31 + value;
		if (bpf_map_pop_elem(&stack, &value))
			return 0xe1;
		result = result * 17 + value;
	}
	return result;
}

/* Per-CPU statistics as a packet counter keeps them: one slot per
 * (EtherType class, length bucket), and a global packet count. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void stat_add(__u32 slot, __u64 amount)
{
	__u64 *count = bpf_map_lookup_elem(&stats, &slot);

	if (count)
		*count += amount;
}

SEC("xdp")
int percpu_counters(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 len = end - data, class, bucket;

	if ((void *)(eth + 1) > end)
		return 0xbad;
	class = eth->h_proto == bpf_htons(ETH_P_IP)     ? 1 :
		eth->h_proto == bpf_htons(ETH_P_IPV6)   ? 2 :
		eth->h_proto == bpf_htons(ETH_P_8021Q) ? 3 : 0;
	bucket = len < 128 ? 0 : len < 512 ? 1 : len < 1024 ? 2 : 3;
	stat_add(0, 1);
	stat_add(1, len);
	stat_add(2 + class * 4 + bucket, 1);
	stat_add(20 + class, len);
	stat_add(30 + bpf_get_smp_processor_id() % 8, 1);
	return class << 8 | bucket;
}

char _license[] SEC("license") = "GPL";
