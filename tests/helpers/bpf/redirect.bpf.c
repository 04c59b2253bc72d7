/* The redirect family's verdicts, as BPF_PROG_TEST_RUN reports them. The
 * test fills the maps: devs[1] and devs_hash[7] hold ifindex 1 (lo), cpus[0]
 * a queue of 64; xsks stays empty (no AF_XDP socket). */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} devs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} devs_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
} cpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

SEC("xdp") int xdp_redirect_ifindex(struct xdp_md *ctx) { return bpf_redirect(1, 0); }
SEC("xdp") int xdp_redirect_flags(struct xdp_md *ctx) { return bpf_redirect(1, BPF_F_INGRESS); }
SEC("xdp") int xdp_map_hit(struct xdp_md *ctx) { return bpf_redirect_map(&devs, 1, 0); }
SEC("xdp") int xdp_map_miss(struct xdp_md *ctx) { return bpf_redirect_map(&devs, 2, XDP_PASS); }
SEC("xdp") int xdp_map_past_end(struct xdp_md *ctx)
{
	return bpf_redirect_map(&devs, 0x100000001ull, XDP_DROP); /* key truncated to 1 */
}
SEC("xdp") int xdp_map_bad_flags(struct xdp_md *ctx) { return bpf_redirect_map(&devs, 1, 1 << 5); }
SEC("xdp") int xdp_map_broadcast(struct xdp_md *ctx)
{
	return bpf_redirect_map(&devs, 3, BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS);
}
SEC("xdp") int xdp_hash_hit(struct xdp_md *ctx) { return bpf_redirect_map(&devs_hash, 7, XDP_DROP); }
SEC("xdp") int xdp_hash_miss(struct xdp_md *ctx) { return bpf_redirect_map(&devs_hash, 8, XDP_TX); }

SEC("xdp") int xdp_devmap_lookup(struct xdp_md *ctx)
{
	__u32 key = 1;
	struct bpf_devmap_val *val = bpf_map_lookup_elem(&devs, &key);

	return val ? (int)val->ifindex + 10 : 0;
}

SEC("xdp") int xdp_cpu_hit(struct xdp_md *ctx) { return bpf_redirect_map(&cpus, 0, XDP_DROP); }
SEC("xdp") int xdp_cpu_miss(struct xdp_md *ctx) { return bpf_redirect_map(&cpus, 1, XDP_PASS); }
SEC("xdp") int xdp_cpu_broadcast(struct xdp_md *ctx)
{
	return bpf_redirect_map(&cpus, 0, BPF_F_BROADCAST); /* device maps only */
}
SEC("xdp") int xdp_xsk_miss(struct xdp_md *ctx) { return bpf_redirect_map(&xsks, 0, XDP_TX); }
/* The AF_XDP pattern: redirect only where a socket is. */
SEC("xdp") int xdp_xsk_lookup(struct xdp_md *ctx)
{
	__u32 index = 1;

	if (bpf_map_lookup_elem(&xsks, &index))
		return bpf_redirect_map(&xsks, index, 0);
	return XDP_PASS;
}

SEC("tc") int tc_redirect(struct __sk_buff *skb) { return bpf_redirect(1, 0); }
SEC("tc") int tc_redirect_ingress(struct __sk_buff *skb) { return bpf_redirect(1, BPF_F_INGRESS); }
SEC("tc") int tc_redirect_bad_flags(struct __sk_buff *skb) { return bpf_redirect(1, 2); }

char LICENSE[] SEC("license") = "GPL";
