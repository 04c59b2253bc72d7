/* samples/bpf sockex1 and sockex2 style socket filters: the legacy packet
 * loads (LD_ABS / LD_IND through llvm.bpf.load.*), a byte counter per IP
 * protocol, and a flow dissector that follows IP options and returns a flow
 * hash; out-of-range loads end the program with 0. */
#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, long);
	__uint(max_entries, 256);
} my_map SEC(".maps");

SEC("socket")
int bpf_prog1(struct __sk_buff *skb)
{
	int index = load_byte(skb, ETH_HLEN + offsetof(struct iphdr, protocol));
	long *value;

	value = bpf_map_lookup_elem(&my_map, &index);
	if (value)
		__sync_fetch_and_add(value, skb->len);
	return index;
}

struct flow_key_record {
	__be32 src;
	__be32 dst;
	union {
		__be32 ports;
		__be16 port16[2];
	};
	__u16 thoff;
	__u8 ip_proto;
};

static __always_inline int ip_is_fragment(struct __sk_buff *ctx, __u64 nhoff)
{
	return load_half(ctx, nhoff + offsetof(struct iphdr, frag_off)) & (0x2000 | 0x1fff);
}

static __always_inline __u32 ipv6_addr_hash(struct __sk_buff *ctx, __u64 off)
{
	__u64 w0 = load_word(ctx, off);
	__u64 w1 = load_word(ctx, off + 4);
	__u64 w2 = load_word(ctx, off + 8);
	__u64 w3 = load_word(ctx, off + 12);

	return (__u32)(w0 ^ w1 ^ w2 ^ w3);
}

static __always_inline __u64 parse_ip(struct __sk_buff *skb, __u64 nhoff, __u64 *ip_proto,
				      struct flow_key_record *flow)
{
	__u64 verlen;

	if (ip_is_fragment(skb, nhoff))
		*ip_proto = 0;
	else
		*ip_proto = load_byte(skb, nhoff + offsetof(struct iphdr, protocol));
	if (*ip_proto != IPPROTO_GRE) {
		flow->src = load_word(skb, nhoff + offsetof(struct iphdr, saddr));
		flow->dst = load_word(skb, nhoff + offsetof(struct iphdr, daddr));
	}
	verlen = load_byte(skb, nhoff + 0);
	if (verlen == 0x45)
		nhoff += 20;
	else
		nhoff += (verlen & 0xF) << 2;
	return nhoff;
}

static __always_inline __u64 parse_ipv6(struct __sk_buff *skb, __u64 nhoff, __u64 *ip_proto,
					struct flow_key_record *flow)
{
	*ip_proto = load_byte(skb, nhoff + offsetof(struct ipv6hdr, nexthdr));
	flow->src = ipv6_addr_hash(skb, nhoff + offsetof(struct ipv6hdr, saddr));
	flow->dst = ipv6_addr_hash(skb, nhoff + offsetof(struct ipv6hdr, daddr));
	nhoff += sizeof(struct ipv6hdr);
	return nhoff;
}

struct vlan_hdr {
	__be16 h_vlan_TCI;
	__be16 h_vlan_encapsulated_proto;
};

static __always_inline bool flow_dissector(struct __sk_buff *skb, struct flow_key_record *flow)
{
	__u64 nhoff = ETH_HLEN;
	__u64 ip_proto;
	__u64 proto = load_half(skb, 12);

	if (proto == ETH_P_8021AD) {
		proto = load_half(skb, nhoff + offsetof(struct vlan_hdr, h_vlan_encapsulated_proto));
		nhoff += sizeof(struct vlan_hdr);
	}
	if (proto == ETH_P_8021Q) {
		proto = load_half(skb, nhoff + offsetof(struct vlan_hdr, h_vlan_encapsulated_proto));
		nhoff += sizeof(struct vlan_hdr);
	}
	if (proto == ETH_P_IP)
		nhoff = parse_ip(skb, nhoff, &ip_proto, flow);
	else if (proto == ETH_P_IPV6)
		nhoff = parse_ipv6(skb, nhoff, &ip_proto, flow);
	else
		return false;

	switch (ip_proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		flow->ports = load_word(skb, nhoff);
		/* fallthrough */
	case IPPROTO_ICMP:
		flow->thoff = (__u16)nhoff;
		flow->ip_proto = ip_proto;
		return true;
	default:
		return false;
	}
}

struct pair {
	long packets;
	long bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __be32);
	__type(value, struct pair);
	__uint(max_entries, 1024);
} hash_map SEC(".maps");

SEC("socket")
int bpf_prog2(struct __sk_buff *skb)
{
	struct flow_key_record flow = {};
	struct pair *value;
	__u32 key;

	if (!flow_dissector(skb, &flow))
		return 0;
	key = flow.dst;
	value = bpf_map_lookup_elem(&hash_map, &key);
	if (value) {
		__sync_fetch_and_add(&value->packets, 1);
		__sync_fetch_and_add(&value->bytes, skb->len);
	} else {
		struct pair val = { 1, skb->len };

		bpf_map_update_elem(&hash_map, &key, &val, BPF_ANY);
	}
	return (flow.src ^ flow.dst ^ flow.ports) & 0x7fffffff;
}

/* A load past the end of the packet ends the program with 0, whatever comes
 * after it. */
SEC("socket")
int ldabs_past_end(struct __sk_buff *skb)
{
	__u64 x = load_word(skb, 1000);

	return x + 5;
}

/* LD_IND with a negative-looking offset (the kernel's SKF_ tricks are not
 * for a test run): the offset is the register plus the immediate. */
SEC("socket")
int ldind_ihl(struct __sk_buff *skb)
{
	__u64 ihl = (load_byte(skb, ETH_HLEN) & 0xf) << 2;

	return load_half(skb, ETH_HLEN + ihl + 2) + (load_byte(skb, skb->len - 1) << 16);
}

char _license[] SEC("license") = "GPL";
