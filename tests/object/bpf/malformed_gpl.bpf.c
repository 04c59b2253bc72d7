/* A seed for tests/object/test_malformed_objects.c: two programs in one
 * section calling a global and a static subprogram, a BTF map, global data
 * and a call of a GPL-only helper, so that removing the license must make
 * the load fail. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

__u64 hits = 0;
const volatile __u32 limit = 3;

static __noinline __u32 twice(__u32 v)
{
	return v * 2;
}

__noinline int bump(__u32 key)
{
	__u64 one = 1, *v = bpf_map_lookup_elem(&seen, &key);

	if (v)
		*v += 1;
	else
		bpf_map_update_elem(&seen, &key, &one, BPF_ANY);
	return 0;
}

SEC("xdp")
int first(struct xdp_md *ctx)
{
	__u32 copy = 0;

	bpf_probe_read_kernel(&copy, sizeof(copy), (const void *)&limit);
	hits++;
	bump(copy);
	return twice(copy) > limit ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int second(struct xdp_md *ctx)
{
	return bump(ctx->ingress_ifindex) + XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
