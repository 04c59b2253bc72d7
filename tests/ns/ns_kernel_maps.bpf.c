/* The redirect, socket, stack and storage maps pinned by name, so that the
 * processes of a namespace share them (tests/ns/test_ns_kernel_maps.c).
 * Each XDP program redirects through its map to the key in the packet's
 * first byte: XDP_REDIRECT when the slot holds a target, else XDP_PASS (the
 * action in the flags). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define PINNED(type_, entries_, key_, value_)                                                  \
	__uint(type, type_);                                                                   \
	__uint(max_entries, entries_);                                                         \
	__type(key, key_);                                                                     \
	__type(value, value_);                                                                 \
	__uint(pinning, LIBBPF_PIN_BY_NAME)

struct { PINNED(BPF_MAP_TYPE_DEVMAP, 8, __u32, struct bpf_devmap_val); } km_dev SEC(".maps");
struct {
	PINNED(BPF_MAP_TYPE_DEVMAP_HASH, 8, __u32, struct bpf_devmap_val);
} km_dev_hash SEC(".maps");
struct { PINNED(BPF_MAP_TYPE_CPUMAP, 2, __u32, struct bpf_cpumap_val); } km_cpu SEC(".maps");
struct { PINNED(BPF_MAP_TYPE_XSKMAP, 4, __u32, __u32); } km_xsk SEC(".maps");
struct { PINNED(BPF_MAP_TYPE_SOCKMAP, 8, __u32, __u64); } km_sock SEC(".maps");
struct { PINNED(BPF_MAP_TYPE_SOCKHASH, 8, __u32, __u64); } km_sock_hash SEC(".maps");
struct { PINNED(BPF_MAP_TYPE_STACK_TRACE, 4, __u32, __u64[8]); } km_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} km_sk_store SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} km_task_store SEC(".maps");

static __always_inline __u32 packet_key(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;

	if ((void *)(data + 1) > (void *)(long)ctx->data_end)
		return 0;
	return data[0];
}

SEC("xdp")
int km_redirect_dev(struct xdp_md *ctx)
{
	return bpf_redirect_map(&km_dev, packet_key(ctx), XDP_PASS);
}

SEC("xdp")
int km_redirect_dev_hash(struct xdp_md *ctx)
{
	return bpf_redirect_map(&km_dev_hash, packet_key(ctx), XDP_PASS);
}

SEC("xdp")
int km_redirect_cpu(struct xdp_md *ctx)
{
	return bpf_redirect_map(&km_cpu, packet_key(ctx), XDP_PASS);
}

SEC("xdp")
int km_redirect_xsk(struct xdp_md *ctx)
{
	return bpf_redirect_map(&km_xsk, packet_key(ctx), XDP_PASS);
}

/* bpf_get_stackid into the shared stack map; 0 when it records a stack,
 * else its error. */
SEC("raw_tp/sys_enter")
int km_stackid(void *ctx)
{
	long id = bpf_get_stackid(ctx, &km_stacks, 0);

	return id < 0 ? (int)id : 0;
}

/* A task storage lookup that finds nothing for a NULL task. */
SEC("raw_tp/sys_enter")
int km_task_storage(void *ctx)
{
	return bpf_task_storage_get(&km_task_store, 0, 0, 0) ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
