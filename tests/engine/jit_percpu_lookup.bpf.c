/* bpf_map_lookup_elem on PERCPU_ARRAY maps and bpf_get_smp_processor_id,
 * which the JIT compiles inline (test_jit_inline.c): keys in and out of
 * range, per-CPU values of 24 bytes (strides that are not powers of two)
 * and of 4 bytes (rounded to 8), writes through the returned value, so
 * that a slice of the wrong vCPU or element shows in the map afterwards. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct wide {
	__u64 count;
	__u32 tag;
	__u32 pad;
	__u64 more;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 5);
	__type(key, __u32);
	__type(value, struct wide);
} percpu_wide SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u32);
} percpu_small SEC(".maps");

static __always_inline __u32 packet_key(struct xdp_md *ctx, int *ok)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;

	*ok = data + 8 <= end;
	return *ok ? *(__u32 *)data : 0;
}

SEC("xdp")
int percpu_lookup_wide(struct xdp_md *ctx)
{
	int ok;
	__u32 key = packet_key(ctx, &ok);
	struct wide *value;

	if (!ok)
		return 1;
	value = bpf_map_lookup_elem(&percpu_wide, &key);
	if (!value)
		return 1000;
	value->count++;
	value->tag += bpf_get_smp_processor_id() + 1;
	return value->tag + value->count;
}

SEC("xdp")
int percpu_lookup_small(struct xdp_md *ctx)
{
	int ok;
	__u32 key = packet_key(ctx, &ok);
	__u32 *value;

	if (!ok)
		return 1;
	value = bpf_map_lookup_elem(&percpu_small, &key);
	if (!value)
		return 2000;
	*value += key + 1;
	return *value;
}

SEC("xdp")
int smp_processor_id(struct xdp_md *ctx)
{
	return bpf_get_smp_processor_id() + 100;
}

char _license[] SEC("license") = "GPL";
