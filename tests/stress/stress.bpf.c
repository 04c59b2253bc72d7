/* The program the stress tests run from many threads and processes: each
 * run adds 1, atomically, to slot key % STRESS_SLOTS of an ARRAY and of a
 * HASH (inserting the key first if needed), both pinned by name so that
 * every process's copy of the object shares them. The key is the packet's
 * first word. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define STRESS_SLOTS 16

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, STRESS_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stress_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, STRESS_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stress_hash SEC(".maps");

SEC("xdp")
int stress_add(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u64 zero = 0, *slot;
	__u32 key;

	if (data + sizeof(key) > end)
		return XDP_ABORTED;
	key = *(__u32 *)data % STRESS_SLOTS;
	slot = bpf_map_lookup_elem(&stress_array, &key);
	if (slot)
		__sync_fetch_and_add(slot, 1);
	slot = bpf_map_lookup_elem(&stress_hash, &key);
	if (!slot) {
		/* Another runner may insert it first: BPF_NOEXIST loses the
		 * race harmlessly, and the lookup then finds the winner's. */
		bpf_map_update_elem(&stress_hash, &key, &zero, BPF_NOEXIST);
		slot = bpf_map_lookup_elem(&stress_hash, &key);
	}
	if (!slot)
		return XDP_DROP;
	__sync_fetch_and_add(slot, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
