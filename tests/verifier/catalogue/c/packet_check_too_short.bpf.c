// expect: reject
// reason: R1 offset is outside of the packet
// part: memory
//
// The IPv4 header checked for its first 8 bytes only, then its addresses
// (bytes 12 to 19) read.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int packet_check_too_short(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);

	if ((void *)ip + 8 > data_end)
		return XDP_PASS;
	return ip->saddr == ip->daddr ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
