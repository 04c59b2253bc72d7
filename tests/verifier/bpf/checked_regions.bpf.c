/* Programs that touch every region a checked run allows, legitimately: each
 * must run in checked mode exactly as in the fast interpreter (same return
 * value, packet and maps). test_checked_mode.c runs them both ways. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct value {
	__u64 count;
	__u32 words[6];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct value);
} values SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} inner_a SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = { [1] = &inner_a },
};

__u64 total = 0;		/* .bss */
__u32 bumps = 1;		/* .data */
const volatile __u32 factor = 3; /* .rodata */

/* ctx fields, packet bytes after a bounds check, a packet write. */
SEC("xdp")
int ctx_and_packet(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 sum = ctx->ingress_ifindex + ctx->rx_queue_index;

	if (data + 16 > end)
		return XDP_DROP;
	for (int i = 0; i < 16; i++)
		sum += data[i];
	data[15] ^= 0xff;
	return sum & 0xff ? XDP_PASS : XDP_TX;
}

/* A stack array indexed by packet bytes under a mask, and a subprogram that
 * writes into its caller's frame. */
static __attribute__((noinline)) int fill(__u32 *slots, __u32 n)
{
	for (__u32 i = 0; i < 8 && i < n; i++)
		slots[i] = i * n;
	return 0;
}

SEC("xdp")
int stack_frames(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 slots[8] = {};

	if (data + 2 > end)
		return XDP_DROP;
	fill(slots, data[0]);
	return slots[data[1] & 7] & 3;
}

/* Map values: lookup, write, atomic add, update from the stack, globals. */
SEC("xdp")
int map_values(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 key, *slot;
	struct value *v;
	__u64 one = 1;

	if (data + 1 > end)
		return XDP_DROP;
	key = data[0] & 3;
	v = bpf_map_lookup_elem(&values, &key);
	if (!v)
		return XDP_ABORTED;
	__sync_fetch_and_add(&v->count, 1);
	v->words[key & 3] = data[0] * factor; /* key was reloaded from the stack */
	if (bpf_map_update_elem(&seen, &key, &one, BPF_NOEXIST)) {
		__u64 *n = bpf_map_lookup_elem(&seen, &key);

		if (n)
			*n += 1;
	}
	total += v->count;
	bumps++;
	slot = &v->words[5];
	return *slot & 1 ? XDP_PASS : XDP_TX;
}

/* Helper memory: a ring buffer record, and bpf_xdp_adjust_head moving the
 * packet. */
SEC("xdp")
int ringbuf_and_adjust(struct xdp_md *ctx)
{
	__u8 *data, *end;
	__u64 *record;

	record = bpf_ringbuf_reserve(&events, 16, 0);
	if (record) {
		record[0] = ctx->data_end - ctx->data;
		record[1] = 7;
		bpf_ringbuf_submit(record, 0);
	}
	if (bpf_xdp_adjust_head(ctx, 4))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (data + 4 > end)
		return XDP_DROP;
	return data[3] & 1 ? XDP_PASS : XDP_TX;
}

/* Map-in-map: the inner map's value. */
SEC("xdp")
int map_in_map(struct xdp_md *ctx)
{
	__u32 key = 1, inner_key = 1;
	__u64 *value;
	void *inner;

	inner = bpf_map_lookup_elem(&outer, &key);
	if (!inner)
		return XDP_ABORTED;
	value = bpf_map_lookup_elem(inner, &inner_key);
	if (!value)
		return XDP_ABORTED;
	*value += ctx->data_end - ctx->data;
	return XDP_PASS;
}

/* Callbacks: bpf_loop with a context in the caller's stack, and
 * bpf_for_each_map_elem reading each key and value. */
struct loop_ctx {
	__u64 sum;
	__u32 step;
};

static long loop_body(__u32 i, struct loop_ctx *c)
{
	c->sum += i * c->step;
	return 0;
}

static long each_value(void *map, __u32 *key, struct value *v, struct loop_ctx *c)
{
	c->sum += *key + v->count + v->words[5];
	return 0;
}

SEC("xdp")
int callbacks(struct xdp_md *ctx)
{
	struct loop_ctx c = { .step = 3 };

	bpf_loop(10, loop_body, &c, 0);
	bpf_for_each_map_elem(&values, each_value, &c, 0);
	return c.sum & 1 ? XDP_PASS : XDP_TX;
}

/* A tail call: the target runs checked too, in the caller's frame. */
SEC("xdp")
int tail_target(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	volatile __u32 scratch[4] = { 1, 2, 3, 4 };

	if (data + 8 > end)
		return XDP_DROP;
	return (data[7] + scratch[data[6] & 3]) & 1 ? XDP_PASS : XDP_TX;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, int(void *));
} jumps SEC(".maps") = {
	.values = { [0] = (void *)&tail_target },
};

SEC("xdp")
int tail_entry(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jumps, 0);
	return XDP_ABORTED;
}

char LICENSE[] SEC("license") = "GPL";
