/* tc with direct packet access, as kernel selftests' test_pkt_access and
 * cilium's hot path use it: decrement the TTL with the checksum updated by
 * hand (RFC 1624), swap MACs, classify into tc_classid and priority, and keep
 * the verdict in tc_index. Global (non-static) functions are verified on
 * their own by the kernel: they check their arguments themselves. */
#include "parsing_helpers.h"
#include <linux/pkt_cls.h>

__noinline int ip_decrease_ttl(struct iphdr *iph)
{
	__u32 check;

	if (!iph)
		return -1;
	check = (__u32)iph->check;
	check += (__u32)bpf_htons(0x0100);
	iph->check = (__u16)(check + (check >= 0xFFFF));
	return --iph->ttl;
}

static __noinline int classify(struct __sk_buff *skb, __u8 proto, __u16 port)
{
	if (proto == IPPROTO_TCP && port == 22)
		skb->priority = 6;
	else if (proto == IPPROTO_UDP)
		skb->priority = 4;
	else
		skb->priority = 0;
	skb->tc_classid = (1 << 16) | proto;
	return skb->priority;
}

SEC("tc")
int tc_fwd(struct __sk_buff *skb)
{
	void *data_end = (void *)(long)skb->data_end;
	void *data = (void *)(long)skb->data;
	struct hdr_cursor nh = { .pos = data };
	struct ethhdr *eth;
	struct iphdr *iph;
	struct udphdr *udph;
	struct tcphdr *tcph;
	__u8 mac[ETH_ALEN];
	__u16 port = 0;
	int proto, ttl;

	if (parse_ethhdr(&nh, data_end, &eth) != bpf_htons(ETH_P_IP))
		return TC_ACT_UNSPEC;
	proto = parse_iphdr(&nh, data_end, &iph);
	if (proto < 0)
		return TC_ACT_SHOT;
	if (proto == IPPROTO_UDP && parse_udphdr(&nh, data_end, &udph) >= 0)
		port = bpf_ntohs(udph->dest);
	else if (proto == IPPROTO_TCP && parse_tcphdr(&nh, data_end, &tcph) >= 0)
		port = bpf_ntohs(tcph->dest);

	ttl = ip_decrease_ttl(iph);
	if (ttl <= 0)
		return TC_ACT_SHOT;
	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
	skb->tc_index = classify(skb, proto, port);
	skb->mark = skb->mark + ttl;
	return TC_ACT_PIPE;
}

char _license[] SEC("license") = "GPL";
