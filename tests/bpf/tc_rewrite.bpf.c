/* tc (sched_cls) programs that rewrite packets as a NAT does: the IPv4
 * destination address and the UDP/TCP destination port change, and the
 * checksums follow with bpf_l3_csum_replace / bpf_l4_csum_replace; headers are
 * read with bpf_skb_load_bytes and written with bpf_skb_store_bytes; the
 * change's checksum delta is computed with bpf_csum_diff. A second program
 * counts under a bpf_spin_lock and edits the context (mark, cb). */
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define IP_OFF ETH_HLEN
#define IP_DST_OFF (IP_OFF + offsetof(struct iphdr, daddr))
#define IP_CSUM_OFF (IP_OFF + offsetof(struct iphdr, check))
#define L4_OFF (IP_OFF + sizeof(struct iphdr))

struct nat_result {
	__s64 csum_diff;
	__s64 store_err;
	__s64 l3_err;
	__s64 l4_err;
	__u32 old_daddr;
	__u32 new_daddr;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nat_result);
} nat_results SEC(".maps");

struct locked_counter {
	struct bpf_spin_lock lock;
	__u32 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct locked_counter);
} locked_counters SEC(".maps");

const volatile __u32 nat_new_daddr = 0xc0a80163; /* 192.168.1.99, host order */
const volatile __u16 nat_new_port = 8080;

static __always_inline int l4_csum_offset(__u8 protocol)
{
	if (protocol == IPPROTO_UDP)
		return L4_OFF + offsetof(struct udphdr, check);
	if (protocol == IPPROTO_TCP)
		return L4_OFF + offsetof(struct tcphdr, check);
	return -1;
}

SEC("tc")
int tc_nat_rewrite(struct __sk_buff *skb)
{
	struct nat_result *result;
	__u32 zero = 0, new_daddr = bpf_htonl(nat_new_daddr);
	__u16 new_port = bpf_htons(nat_new_port), old_port;
	struct iphdr ip;
	int csum_off;

	result = bpf_map_lookup_elem(&nat_results, &zero);
	if (!result)
		return TC_ACT_SHOT;
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, IP_OFF, &ip, sizeof(ip)) || ip.ihl != 5)
		return TC_ACT_OK;
	csum_off = l4_csum_offset(ip.protocol);
	if (csum_off < 0)
		return TC_ACT_OK;

	result->old_daddr = ip.daddr;
	result->new_daddr = new_daddr;
	result->csum_diff = bpf_csum_diff(&ip.daddr, 4, &new_daddr, 4, 0);
	result->l4_err = bpf_l4_csum_replace(skb, csum_off, ip.daddr, new_daddr,
					     BPF_F_PSEUDO_HDR | sizeof(new_daddr));
	result->l3_err = bpf_l3_csum_replace(skb, IP_CSUM_OFF, ip.daddr, new_daddr,
					     sizeof(new_daddr));
	result->store_err = bpf_skb_store_bytes(skb, IP_DST_OFF, &new_daddr, sizeof(new_daddr), 0);

	/* The destination port: the same offset in UDP and TCP. */
	if (bpf_skb_load_bytes(skb, L4_OFF + 2, &old_port, sizeof(old_port)))
		return TC_ACT_SHOT;
	bpf_l4_csum_replace(skb, csum_off, old_port, new_port, sizeof(new_port));
	bpf_skb_store_bytes(skb, L4_OFF + 2, &new_port, sizeof(new_port), 0);
	skb->mark = 0x4e4154; /* "NAT" */
	return TC_ACT_OK;
}

SEC("tc")
int tc_locked_count(struct __sk_buff *skb)
{
	__u32 key = skb->protocol;
	struct locked_counter *counter, fresh = {};

	counter = bpf_map_lookup_elem(&locked_counters, &key);
	if (!counter) {
		bpf_map_update_elem(&locked_counters, &key, &fresh, BPF_NOEXIST);
		counter = bpf_map_lookup_elem(&locked_counters, &key);
		if (!counter)
			return TC_ACT_SHOT;
	}
	bpf_spin_lock(&counter->lock);
	counter->packets++;
	counter->bytes += skb->len;
	bpf_spin_unlock(&counter->lock);
	skb->cb[0] = skb->mark + 1;
	skb->priority = skb->len;
	return TC_ACT_PIPE;
}

char LICENSE[] SEC("license") = "GPL";
