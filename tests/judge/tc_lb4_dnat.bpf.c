/* A cilium-like service translation in tc: headers read with
 * bpf_skb_load_bytes, the destination address and port rewritten with
 * bpf_skb_store_bytes, and the checksums fixed with bpf_l3_csum_replace /
 * bpf_l4_csum_replace (BPF_F_PSEUDO_HDR for the address, BPF_F_MARK_MANGLED_0
 * for UDP). The skb's mark and cb record what was done. */
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/tcp.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define IP_OFF ETH_HLEN
#define IP_CSUM_OFF (IP_OFF + offsetof(struct iphdr, check))
#define IP_DST_OFF (IP_OFF + offsetof(struct iphdr, daddr))

struct lb4_key {
	__be32 address;
	__be16 dport;
	__u8 proto;
	__u8 pad;
};

struct lb4_backend {
	__be32 address;
	__be16 port;
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct lb4_key);
	__type(value, struct lb4_backend);
	__uint(max_entries, 16);
} services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} nat_counters SEC(".maps");

static __always_inline void seed_services(void)
{
	struct lb4_key key = { .address = bpf_htonl(0x0a000002), .dport = bpf_htons(53),
			       .proto = IPPROTO_UDP };
	struct lb4_backend be = { .address = bpf_htonl(0xc0a80a0a), .port = bpf_htons(5353) };

	bpf_map_update_elem(&services, &key, &be, BPF_NOEXIST);
	key.dport = bpf_htons(80);
	key.proto = IPPROTO_TCP;
	be.port = bpf_htons(8080);
	bpf_map_update_elem(&services, &key, &be, BPF_NOEXIST);
}

static __always_inline void count(__u32 slot)
{
	__u64 *c = bpf_map_lookup_elem(&nat_counters, &slot);

	if (c)
		__sync_fetch_and_add(c, 1);
}

SEC("tc")
int lb4_dnat(struct __sk_buff *skb)
{
	struct iphdr iph;
	struct lb4_key key = {};
	struct lb4_backend *be;
	__be16 ports[2];
	__u32 l4_off, l4_csum_off, flags;
	__be32 old_ip;
	int ret;

	seed_services();
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, IP_OFF, &iph, sizeof(iph)) < 0)
		return TC_ACT_SHOT;
	if (iph.ihl != 5)
		return TC_ACT_OK;
	l4_off = IP_OFF + sizeof(iph);
	if (bpf_skb_load_bytes(skb, l4_off, ports, sizeof(ports)) < 0)
		return TC_ACT_SHOT;

	key.address = iph.daddr;
	key.dport = ports[1];
	key.proto = iph.protocol;
	be = bpf_map_lookup_elem(&services, &key);
	if (!be) {
		count(0);
		return TC_ACT_OK;
	}

	if (iph.protocol == IPPROTO_TCP) {
		l4_csum_off = l4_off + offsetof(struct tcphdr, check);
		flags = 0;
	} else {
		l4_csum_off = l4_off + offsetof(struct udphdr, check);
		flags = BPF_F_MARK_MANGLED_0;
	}

	old_ip = iph.daddr;
	ret = bpf_l4_csum_replace(skb, l4_csum_off, old_ip, be->address,
				  flags | BPF_F_PSEUDO_HDR | sizeof(be->address));
	if (ret < 0)
		return TC_ACT_SHOT;
	ret = bpf_l3_csum_replace(skb, IP_CSUM_OFF, old_ip, be->address, sizeof(be->address));
	if (ret < 0)
		return TC_ACT_SHOT;
	ret = bpf_skb_store_bytes(skb, IP_DST_OFF, &be->address, sizeof(be->address), 0);
	if (ret < 0)
		return TC_ACT_SHOT;

	ret = bpf_l4_csum_replace(skb, l4_csum_off, ports[1], be->port, flags | sizeof(be->port));
	if (ret < 0)
		return TC_ACT_SHOT;
	ret = bpf_skb_store_bytes(skb, l4_off + 2, &be->port, sizeof(be->port), 0);
	if (ret < 0)
		return TC_ACT_SHOT;

	count(1);
	skb->mark = 0x5a5a;
	skb->cb[0] = bpf_ntohl(old_ip);
	skb->cb[1] = bpf_ntohs(ports[1]);
	return TC_ACT_OK;
}

/* Rewriting with BPF_F_RECOMPUTE_CSUM and reading back through
 * bpf_skb_load_bytes: what was stored is what is read. */
SEC("tc")
int tc_store_then_load(struct __sk_buff *skb)
{
	__u8 pattern[6] = { 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01 };
	__u8 back[6] = {};
	int ret;

	ret = bpf_skb_store_bytes(skb, 0, pattern, sizeof(pattern), BPF_F_RECOMPUTE_CSUM);
	if (ret < 0)
		return 100 - ret;
	ret = bpf_skb_load_bytes(skb, 0, back, sizeof(back));
	if (ret < 0)
		return 200 - ret;
	/* A store past the end fails with -EFAULT; a load too. */
	ret = bpf_skb_store_bytes(skb, skb->len - 2, pattern, 4, 0);
	skb->cb[2] = -ret;
	ret = bpf_skb_load_bytes(skb, skb->len - 2, back, 4);
	skb->cb[3] = -ret;
	if (back[0] != 0xde || back[5] != 0x01)
		return 300;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
