/* An LRU hash pinned by name, counted into by a program: two processes
 * that load this object share the map (tests/maps/hash/test_hash_lru_shared.c).
 * Each run adds 1 to key 7's value, inserting it when it is not there. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lru_counts SEC(".maps");

SEC("xdp")
int lru_count(struct xdp_md *ctx)
{
	__u32 key = 7;
	__u64 one = 1, *count = bpf_map_lookup_elem(&lru_counts, &key);

	if (count) {
		__sync_fetch_and_add(count, 1);
		return XDP_PASS;
	}
	/* First run in the map: BPF_NOEXIST, so that a concurrent first
	 * run of the other process is not overwritten (it retries). */
	if (bpf_map_update_elem(&lru_counts, &key, &one, BPF_NOEXIST))
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
