/* Built with the machine's vmlinux.h, as most public programs are: struct
 * xdp_md, __sk_buff, ethhdr and iphdr are all preserve_access_index there,
 * so every context and header access is a CO-RE field relocation, resolved
 * against the kernel's BTF at load time. Context accesses must still reach
 * the verifier's context rewriting with their (relocated) offsets. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP 0x0800

/* XDP_DROP for UDP over IPv4, XDP_TX for a TTL below 2, XDP_PASS for the
 * rest, XDP_ABORTED when the headers do not fit. */
SEC("xdp")
int xdp_classify(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);

	if ((void *)(ip + 1) > end)
		return XDP_ABORTED;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (ip->ttl < 2)
		return XDP_TX;
	return ip->protocol == IPPROTO_UDP ? XDP_DROP : XDP_PASS;
}

/* The length, the protocol and the IPv4 header's length field, mixed into
 * one number. */
SEC("tc")
int tc_fields(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);

	if ((void *)(ip + 1) > end)
		return -1;
	return (int)(skb->len * 1000 + bpf_ntohs(skb->protocol) % 1000) ^
	       ((int)bpf_ntohs(ip->tot_len) << 20) ^ ((int)ip->ihl << 28);
}

char LICENSE[] SEC("license") = "GPL";
