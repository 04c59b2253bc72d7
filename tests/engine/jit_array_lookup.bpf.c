/* bpf_map_lookup_elem on ARRAY maps, which the JIT compiles inline when the
 * map is known at the call (test_jit_inline.c): keys in and out of range,
 * element sizes that are and are not powers of two, a lookup whose map
 * depends on the path (not inlined), and writes through the returned value. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct wide {
	__u64 count;
	__u32 tag;
	__u32 pad;
	__u64 more; /* 24 bytes: a stride that is not a power of two */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 5);
	__type(key, __u32);
	__type(value, struct wide);
} wide_values SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u32);
} small_values SEC(".maps");

/* The key is the packet's first 4 bytes; r0 says what was found. */
static __always_inline __u32 packet_key(struct xdp_md *ctx, int *ok)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;

	*ok = data + 8 <= end;
	return *ok ? *(__u32 *)data : 0;
}

SEC("xdp")
int lookup_wide(struct xdp_md *ctx)
{
	int ok;
	__u32 key = packet_key(ctx, &ok);
	struct wide *value;

	if (!ok)
		return 1;
	value = bpf_map_lookup_elem(&wide_values, &key);
	if (!value)
		return 1000;
	value->count++;
	return value->tag + value->count;
}

SEC("xdp")
int lookup_small(struct xdp_md *ctx)
{
	int ok;
	__u32 key = packet_key(ctx, &ok);
	__u32 *value;

	if (!ok)
		return 1;
	value = bpf_map_lookup_elem(&small_values, &key);
	if (!value)
		return 2000;
	*value += key + 1;
	return *value;
}

/* The map depends on the key: a join before the call, not inlined. */
SEC("xdp")
int lookup_either(struct xdp_md *ctx)
{
	int ok;
	__u32 key = packet_key(ctx, &ok);
	void *map = key & 1 ? (void *)&small_values : (void *)&wide_values;
	__u32 *value;

	if (!ok)
		return 1;
	key >>= 1;
	value = bpf_map_lookup_elem(map, &key);
	return value ? *value + 3000 : 4000;
}

char _license[] SEC("license") = "GPL";
