/* The common map kinds as programs use them, each folded into the return
 * value so that a difference in a flag or an error code shows: HASH with
 * BPF_NOEXIST / BPF_EXIST, PERCPU_HASH, LRU_HASH eviction, LRU_PERCPU_HASH,
 * QUEUE / STACK push-pop-peek, LPM_TRIE longest match, ARRAY_OF_MAPS and
 * HASH_OF_MAPS with statically set inner maps, RINGBUF reserve / submit /
 * discard / output / query. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} percpu_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 512);
} lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 16);
} lru_percpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 3);
} queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 3);
} stack SEC(".maps");

struct lpm_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct lpm_key);
	__type(value, __u32);
	__uint(max_entries, 8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} lpm SEC(".maps");

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 2);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 3);
	__type(key, __u32);
	__array(values, struct inner);
} outer_array SEC(".maps") = {
	.values = { [0] = &inner_a, [2] = &inner_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} outer_hash SEC(".maps") = {
	.values = { [1] = &inner_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

#define CHECK(bit, cond) (ret |= (cond) ? 0 : 1u << (bit))

SEC("tc")
int hash_flags(struct __sk_buff *skb)
{
	__u32 ret = 0, k;
	__u64 v = 1, *p;

	k = 1;
	CHECK(0, bpf_map_update_elem(&hash, &k, &v, BPF_NOEXIST) == 0);
	CHECK(1, bpf_map_update_elem(&hash, &k, &v, BPF_NOEXIST) == -17 /* EEXIST */);
	k = 2;
	CHECK(2, bpf_map_update_elem(&hash, &k, &v, BPF_EXIST) == -2 /* ENOENT */);
	CHECK(3, bpf_map_update_elem(&hash, &k, &v, 4 /* bad flag */) == -22);
	k = 10;
	bpf_map_update_elem(&hash, &k, &v, BPF_ANY);
	k = 11;
	bpf_map_update_elem(&hash, &k, &v, BPF_ANY);
	k = 12;
	bpf_map_update_elem(&hash, &k, &v, BPF_ANY);
	k = 20;
	CHECK(4, bpf_map_update_elem(&hash, &k, &v, BPF_ANY) == -7 /* E2BIG */);
	k = 1;
	v = 5;
	CHECK(5, bpf_map_update_elem(&hash, &k, &v, BPF_EXIST) == 0);
	p = bpf_map_lookup_elem(&hash, &k);
	CHECK(6, p && *p == 5);
	CHECK(7, bpf_map_delete_elem(&hash, &k) == 0);
	CHECK(8, bpf_map_delete_elem(&hash, &k) == -2);
	CHECK(9, bpf_map_lookup_elem(&hash, &k) == 0);
	k = 1;
	CHECK(10, bpf_map_update_elem(&percpu_hash, &k, &v, BPF_ANY) == 0);
	p = bpf_map_lookup_elem(&percpu_hash, &k);
	CHECK(11, p && *p == 5);
	return ret;
}

static long fill_lru(__u32 index, void *data)
{
	__u32 k = index;
	__u64 v = index;

	if (bpf_map_update_elem(&lru, &k, &v, BPF_ANY))
		*(__u32 *)data += 1;
	return 0;
}

SEC("tc")
int lru_evicts(struct __sk_buff *skb)
{
	__u32 k, found = 0, v32 = 7, *p32, failed = 0;

	bpf_loop(1000, fill_lru, &failed, 0);
	/* The most recent entry must still be there. */
	k = 999;
	if (bpf_map_lookup_elem(&lru, &k))
		found = 1;
	k = 3;
	bpf_map_update_elem(&lru_percpu, &k, &v32, BPF_NOEXIST);
	p32 = bpf_map_lookup_elem(&lru_percpu, &k);
	return found + (p32 ? *p32 * 10 : 0) + failed * 1000;
}

SEC("tc")
int queue_stack(struct __sk_buff *skb)
{
	__u32 v, ret = 0, i;
	long err;

#pragma unroll
	for (i = 1; i <= 4; i++) {
		v = i * 11;
		err = bpf_map_push_elem(&queue, &v, 0);
		if (i == 4)
			CHECK(0, err == -7 /* E2BIG when full */);
		err = bpf_map_push_elem(&stack, &v, 0);
		if (i == 4)
			CHECK(1, err == -7);
	}
	v = 99;
	CHECK(2, bpf_map_push_elem(&queue, &v, BPF_EXIST) == 0); /* overwrite oldest */
	CHECK(3, bpf_map_peek_elem(&queue, &v) == 0 && v == 22);
	CHECK(4, bpf_map_pop_elem(&queue, &v) == 0 && v == 22);
	CHECK(5, bpf_map_pop_elem(&stack, &v) == 0 && v == 33);
	CHECK(6, bpf_map_peek_elem(&stack, &v) == 0 && v == 22);
	bpf_map_pop_elem(&queue, &v);
	bpf_map_pop_elem(&queue, &v);
	CHECK(7, v == 99);
	CHECK(8, bpf_map_pop_elem(&queue, &v) == -2 /* ENOENT when empty */);
	return ret;
}

SEC("tc")
int lpm_match(struct __sk_buff *skb)
{
	struct lpm_key k = { 8, { 10, 0, 0, 0 } };
	__u32 v = 8, *p, ret = 0;

	bpf_map_update_elem(&lpm, &k, &v, BPF_ANY);
	k.prefixlen = 24;
	v = 24;
	bpf_map_update_elem(&lpm, &k, &v, BPF_ANY);
	k.prefixlen = 32;
	k.addr[3] = 2;
	v = 32;
	bpf_map_update_elem(&lpm, &k, &v, BPF_ANY);

	k.prefixlen = 32;
	k.addr[3] = 2;
	p = bpf_map_lookup_elem(&lpm, &k);
	ret = p ? *p : 0;
	k.addr[3] = 9;
	p = bpf_map_lookup_elem(&lpm, &k);
	ret = ret * 100 + (p ? *p : 0);
	k.addr[1] = 1;
	p = bpf_map_lookup_elem(&lpm, &k);
	ret = ret * 100 + (p ? *p : 0);
	k.addr[0] = 11;
	p = bpf_map_lookup_elem(&lpm, &k);
	ret = ret * 100 + (p ? *p : 0);
	k.prefixlen = 33;
	CHECK(31, bpf_map_update_elem(&lpm, &k, &v, BPF_ANY) == -22);
	return ret;
}

SEC("tc")
int map_in_map(struct __sk_buff *skb)
{
	__u32 k, v, ret = 0, *p;
	void *inner;

	k = 0;
	inner = bpf_map_lookup_elem(&outer_array, &k);
	if (inner) {
		k = 1;
		v = 0xaa;
		bpf_map_update_elem(inner, &k, &v, BPF_ANY);
		ret |= 1;
	}
	k = 1;
	if (!bpf_map_lookup_elem(&outer_array, &k))
		ret |= 2;
	k = 1;
	inner = bpf_map_lookup_elem(&outer_hash, &k);
	if (inner) {
		k = 0;
		v = 0xbb;
		bpf_map_update_elem(inner, &k, &v, BPF_ANY);
		ret |= 4;
	}
	/* outer_array[2] is inner_b too: the value written through the hash. */
	k = 2;
	inner = bpf_map_lookup_elem(&outer_array, &k);
	if (inner) {
		k = 0;
		p = bpf_map_lookup_elem(inner, &k);
		if (p)
			ret |= *p << 8;
	}
	k = 1;
	p = bpf_map_lookup_elem(&inner_a, &k);
	if (p)
		ret |= *p << 16;
	return ret;
}

struct event {
	__u32 len;
	__u32 seq;
};

SEC("tc")
int ringbuf_ops(struct __sk_buff *skb)
{
	struct event *e, ev = { .len = skb->len, .seq = 9 };
	__u32 ret = 0;

	e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	if (!e)
		return -1;
	e->len = skb->len;
	e->seq = 1;
	bpf_ringbuf_submit(e, 0);
	e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	if (!e)
		return -2;
	bpf_ringbuf_discard(e, 0);
	CHECK(0, bpf_ringbuf_output(&rb, &ev, sizeof(ev), 0) == 0);
	CHECK(1, bpf_ringbuf_output(&rb, &ev, sizeof(ev), 8) == -22);
	e = bpf_ringbuf_reserve(&rb, 8192, 0); /* larger than the ring */
	CHECK(2, e == 0);
	if (e)
		bpf_ringbuf_discard(e, 0);
	/* Three records of 8 + 8 bytes were written (one discarded). */
	CHECK(3, bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA) == 48);
	CHECK(4, bpf_ringbuf_query(&rb, BPF_RB_RING_SIZE) == 4096);
	CHECK(5, bpf_ringbuf_query(&rb, BPF_RB_PROD_POS) == 48);
	CHECK(6, bpf_ringbuf_query(&rb, BPF_RB_CONS_POS) == 0);
	return ret | (__u32)bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA) << 8;
}

char _license[] SEC("license") = "GPL";
