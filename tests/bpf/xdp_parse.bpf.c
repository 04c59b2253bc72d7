/* XDP packet parsing as a user writes it: Ethernet, VLAN-free IPv4 and IPv6,
 * UDP and TCP, every header bounds-checked against data_end. Counts packets
 * per protocol (per-CPU array), bytes per (protocol, port) (hash), and keeps
 * global data in .data, .rodata (const volatile config) and .bss.
 *
 * Return: XDP_DROP for TCP to the configured blocked port, XDP_PASS for
 * everything else that parses, XDP_ABORTED for truncated headers. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

enum proto_slot { SLOT_OTHER, SLOT_IPV4, SLOT_IPV6, SLOT_UDP, SLOT_TCP, SLOT_TRUNCATED, SLOT_COUNT };

struct flow_key {
	__u8 protocol;
	__u8 pad;
	__u16 port; /* destination port, host order */
};

struct flow_stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLOT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} proto_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} ip_header_sums SEC(".maps");

const volatile __u16 blocked_tcp_port = 23;	/* .rodata, set before load */
int config_version = 3;				/* .data */
__u64 packets_seen;				/* .bss */
__u64 last_length;				/* .bss */

static __always_inline void count(__u32 slot)
{
	__u64 *counter = bpf_map_lookup_elem(&proto_counts, &slot);

	if (counter)
		*counter += 1;
}

/* A static subprogram with a bounded loop: the one's-complement sum of the
 * IPv4 header's 16-bit words (0xffff for a correct checksum). */
static __noinline __u32 ipv4_header_sum(struct iphdr *ip, void *data_end)
{
	__u16 *word = (__u16 *)ip;
	__u32 sum = 0;

	for (int i = 0; i < 10; i++) {
		if ((void *)(word + i + 1) > data_end)
			return 0;
		sum += word[i];
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* A global subprogram: verified on its own, with the context as argument. */
__noinline int record_flow(struct xdp_md *ctx, __u8 protocol, __u16 port)
{
	struct flow_key key = { .protocol = protocol, .port = port };
	__u64 len = ctx->data_end - ctx->data;
	struct flow_stats *stats, fresh = { 1, len };

	stats = bpf_map_lookup_elem(&flows, &key);
	if (!stats)
		return bpf_map_update_elem(&flows, &key, &fresh, BPF_NOEXIST);
	__sync_fetch_and_add(&stats->packets, 1);
	__sync_fetch_and_add(&stats->bytes, len);
	return 0;
}

static __always_inline int parse_l4(struct xdp_md *ctx, void *l4, void *data_end, __u8 protocol)
{
	if (protocol == IPPROTO_UDP) {
		struct udphdr *udp = l4;

		if ((void *)(udp + 1) > data_end)
			return -1;
		count(SLOT_UDP);
		record_flow(ctx, protocol, bpf_ntohs(udp->dest));
		return XDP_PASS;
	}
	if (protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;

		if ((void *)(tcp + 1) > data_end)
			return -1;
		count(SLOT_TCP);
		record_flow(ctx, protocol, bpf_ntohs(tcp->dest));
		return bpf_ntohs(tcp->dest) == blocked_tcp_port ? XDP_DROP : XDP_PASS;
	}
	record_flow(ctx, protocol, 0);
	return XDP_PASS;
}

SEC("xdp")
int xdp_count_protocols(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	int verdict = -1;

	packets_seen++;
	last_length = data_end - data;
	if ((void *)(eth + 1) > data_end)
		goto truncated;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		__u32 key = 0, sum;

		if ((void *)(ip + 1) > data_end || ip->ihl < 5)
			goto truncated;
		count(SLOT_IPV4);
		sum = ipv4_header_sum(ip, data_end);
		bpf_map_update_elem(&ip_header_sums, &key, &sum, BPF_ANY);
		verdict = parse_l4(ctx, (void *)ip + ip->ihl * 4, data_end, ip->protocol);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end)
			goto truncated;
		count(SLOT_IPV6);
		verdict = parse_l4(ctx, ip6 + 1, data_end, ip6->nexthdr);
	} else {
		count(SLOT_OTHER);
		return XDP_PASS;
	}
	if (verdict >= 0)
		return verdict + config_version - 3;
truncated:
	count(SLOT_TRUNCATED);
	return XDP_ABORTED;
}

char LICENSE[] SEC("license") = "GPL";
