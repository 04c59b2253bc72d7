/* Tail-call chains through a prog array shared by processes
 * (test_stress_prog_array.c): chain_entry tail-calls slot 1, which always
 * holds chain_relay; the relay tail-calls slot 0, which other processes
 * swap between chain_end_a, _b and _c or empty. Each end adds 1 to its
 * counter and returns its mark; a relay whose slot 0 is empty counts a
 * fall-through and returns CHAIN_FELL. Both maps are pinned by name, so
 * every process's copy of the object shares them. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CHAIN_SLOTS 4
#define CHAIN_FELL 99
#define CHAIN_NO_RELAY 98

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, CHAIN_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} chain_table SEC(".maps");

/* [0..2] the ends' runs, [3] fall-throughs */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CHAIN_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} chain_counts SEC(".maps");

static __always_inline int count(__u32 index, int mark)
{
	__u64 *n = bpf_map_lookup_elem(&chain_counts, &index);

	if (n)
		__sync_fetch_and_add(n, 1);
	return mark;
}

SEC("xdp")
int chain_entry(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &chain_table, 1);
	return CHAIN_NO_RELAY;
}

SEC("xdp")
int chain_relay(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &chain_table, 0);
	return count(3, CHAIN_FELL);
}

SEC("xdp")
int chain_end_a(struct xdp_md *ctx)
{
	return count(0, 11);
}

SEC("xdp")
int chain_end_b(struct xdp_md *ctx)
{
	return count(1, 22);
}

SEC("xdp")
int chain_end_c(struct xdp_md *ctx)
{
	return count(2, 33);
}

char LICENSE[] SEC("license") = "GPL";
