/* Three cgroup_skb/egress programs in one section, as the seeds have them.
 * In a cgroup_skb program the packet starts at the network header and is
 * read directly (data, data_end); the return value is 1 (allow) or 0 (drop).
 * - egress_count_bytes: bytes per IP protocol, per-CPU hash
 * - egress_allow_udp_only: verdict by protocol, packets per destination port
 *   in an LRU per-CPU hash
 * - egress_time_and_cpu: properties of time, randomness and the CPU id that
 *   hold in every run (never their values) */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} bytes_per_protocol SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 512);
	__type(key, __u16);
	__type(value, __u32);
} udp_ports SEC(".maps");

enum property {
	PROP_TIME_MONOTONIC,	  /* ktime_get_ns never goes back */
	PROP_BOOT_NOT_BEFORE_MONO, /* boot time includes suspend: >= monotonic */
	PROP_COARSE_NONZERO,	  /* ktime_get_coarse_ns is a real clock */
	PROP_RANDOM_VARIES,	  /* 8 draws of prandom_u32 are not all equal */
	PROP_CPU_STABLE,	  /* smp_processor_id is the same twice in a run */
	PROP_CPU_ID,		  /* the CPU id (tests pin the run to CPU 0) */
	PROP_COUNT
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PROP_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} properties SEC(".maps");

static __always_inline struct iphdr *ipv4_header(struct __sk_buff *skb)
{
	struct iphdr *ip = (void *)(long)skb->data;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if ((void *)(ip + 1) > (void *)(long)skb->data_end)
		return 0;
	return ip;
}

SEC("cgroup_skb/egress")
int egress_count_bytes(struct __sk_buff *skb)
{
	struct iphdr *ip = ipv4_header(skb);
	__u32 protocol = ip ? ip->protocol : 0xffff;
	__u64 *bytes, len = skb->len;

	bytes = bpf_map_lookup_elem(&bytes_per_protocol, &protocol);
	if (bytes)
		*bytes += len;
	else
		bpf_map_update_elem(&bytes_per_protocol, &protocol, &len, BPF_NOEXIST);
	return 1;
}

SEC("cgroup_skb/egress")
int egress_allow_udp_only(struct __sk_buff *skb)
{
	struct iphdr *ip = ipv4_header(skb);
	struct udphdr *udp;
	__u32 one = 1, *packets;
	__u16 port;

	if (!ip || ip->protocol != IPPROTO_UDP || ip->ihl != 5)
		return 0;
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > (void *)(long)skb->data_end)
		return 0;
	port = bpf_ntohs(udp->dest);
	packets = bpf_map_lookup_elem(&udp_ports, &port);
	if (packets)
		(*packets)++;
	else
		bpf_map_update_elem(&udp_ports, &port, &one, BPF_ANY);
	return 1;
}

static __always_inline void set_property(__u32 which, __u64 value)
{
	bpf_map_update_elem(&properties, &which, &value, BPF_ANY);
}

SEC("cgroup_skb/egress")
int egress_time_and_cpu(struct __sk_buff *skb)
{
	__u64 t1 = bpf_ktime_get_ns(), t2, boot, coarse;
	__u32 first = bpf_get_prandom_u32(), differ = 0;
	__u32 cpu = bpf_get_smp_processor_id();

	for (int i = 0; i < 8; i++)
		differ |= bpf_get_prandom_u32() != first;
	t2 = bpf_ktime_get_ns();
	boot = bpf_ktime_get_boot_ns();
	coarse = bpf_ktime_get_coarse_ns();
	set_property(PROP_TIME_MONOTONIC, t2 >= t1 && t1 > 0);
	set_property(PROP_BOOT_NOT_BEFORE_MONO, boot >= t1);
	set_property(PROP_COARSE_NONZERO, coarse > 0);
	set_property(PROP_RANDOM_VARIES, differ);
	set_property(PROP_CPU_STABLE, cpu == bpf_get_smp_processor_id());
	set_property(PROP_CPU_ID, cpu);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
