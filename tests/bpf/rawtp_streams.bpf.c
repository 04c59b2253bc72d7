/* Records out of a program and container maps: a ring buffer (output,
 * reserve + submit, reserve + discard, query), a perf event array
 * (perf_event_output on the current CPU), a queue and a stack (push, pop,
 * peek), and maps of maps (array of maps and hash of maps, filled
 * statically with `.values`). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} perf_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 8);
	__type(value, __u32);
} fifo SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 8);
	__type(value, __u64);
} lifo SEC(".maps");

enum result_slot {
	RES_OUTPUT,
	RES_RESERVED_NONNULL,
	RES_AVAIL_DATA,
	RES_RING_SIZE,
	RES_CONS_POS,
	RES_PROD_POS,
	RES_PERF_RET,
	RES_QUEUE_POP,
	RES_QUEUE_PEEK,
	RES_STACK_POP,
	RES_STACK_PEEK,
	RES_QUEUE_FULL_ERR,
	RES_INNER_A,
	RES_INNER_B,
	RES_HASH_INNER,
	RES_OUTER_MISS,
	RES_COUNT
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RES_COUNT);
	__type(key, __u32);
	__type(value, __s64);
} results SEC(".maps");

struct inner_array {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} inner_a SEC(".maps"), inner_b SEC(".maps"), inner_c SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 3);
	__type(key, __u32);
	__array(values, struct inner_array);
} outer_array SEC(".maps") = {
	.values = { &inner_a, &inner_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_array);
} outer_hash SEC(".maps") = {
	.values = { [1] = &inner_c },
};

struct sample {
	__u32 kind;
	__u32 length;
	__u32 marker;
};

struct big_sample {
	__u64 words[3];
	__u32 tail;
};

static __always_inline void put(__u32 slot, __s64 value)
{
	bpf_map_update_elem(&results, &slot, &value, BPF_ANY);
}

SEC("raw_tracepoint/sys_enter")
int rawtp_ring_and_perf(struct bpf_raw_tracepoint_args *ctx)
{
	struct sample first = { 1, sizeof(first), 0xa1 };
	struct big_sample big = { { ctx->args[2], 2, 3 }, 0xb2 };
	struct sample *slot;

	put(RES_OUTPUT, bpf_ringbuf_output(&events, &first, sizeof(first), 0));
	slot = bpf_ringbuf_reserve(&events, sizeof(*slot), 0);
	put(RES_RESERVED_NONNULL, slot != 0);
	if (slot) {
		slot->kind = 2;
		slot->length = sizeof(*slot);
		slot->marker = 0xa2;
		bpf_ringbuf_submit(slot, 0);
	}
	slot = bpf_ringbuf_reserve(&events, sizeof(*slot), 0);
	if (slot)
		bpf_ringbuf_discard(slot, 0);
	put(RES_AVAIL_DATA, bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA));
	put(RES_RING_SIZE, bpf_ringbuf_query(&events, BPF_RB_RING_SIZE));
	put(RES_CONS_POS, bpf_ringbuf_query(&events, BPF_RB_CONS_POS));
	put(RES_PROD_POS, bpf_ringbuf_query(&events, BPF_RB_PROD_POS));
	put(RES_PERF_RET, bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU,
						&first, sizeof(first)) |
			  bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU,
						&big, 28));
	return 0;
}

SEC("raw_tracepoint/sys_enter")
int rawtp_queue_stack(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 value32, err = 0;
	__u64 value64;

	for (__u32 i = 1; i <= 9; i++) {
		value32 = i * 10;
		value64 = i * 100;
		err = bpf_map_push_elem(&fifo, &value32, 0);
		bpf_map_push_elem(&lifo, &value64, BPF_EXIST);
	}
	put(RES_QUEUE_FULL_ERR, (int)err);
	value32 = 0;
	value64 = 0;
	bpf_map_pop_elem(&fifo, &value32);
	put(RES_QUEUE_POP, value32);
	bpf_map_peek_elem(&fifo, &value32);
	put(RES_QUEUE_PEEK, value32);
	bpf_map_pop_elem(&lifo, &value64);
	put(RES_STACK_POP, value64);
	bpf_map_peek_elem(&lifo, &value64);
	put(RES_STACK_PEEK, value64);
	return 0;
}

static __always_inline __s64 bump_inner(void *outer, __u32 outer_key, __u32 index, __u64 add)
{
	__u64 *value;
	void *inner;

	inner = bpf_map_lookup_elem(outer, &outer_key);
	if (!inner)
		return -1;
	value = bpf_map_lookup_elem(inner, &index);
	if (!value)
		return -2;
	*value += add;
	return *value;
}

SEC("raw_tracepoint/sys_enter")
int rawtp_map_in_map(struct bpf_raw_tracepoint_args *ctx)
{
	put(RES_INNER_A, bump_inner(&outer_array, 0, 1, 5));
	put(RES_INNER_B, bump_inner(&outer_array, 1, 3, 7));
	put(RES_OUTER_MISS, bump_inner(&outer_array, 2, 0, 1));
	put(RES_HASH_INNER, bump_inner(&outer_hash, 1, 2, 11));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
