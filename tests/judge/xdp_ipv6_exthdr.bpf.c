/* IPv6 extension header walk as firewalls do it (hop-by-hop, routing,
 * destination options, fragment, AH), with a bounded loop the verifier must
 * follow rather than an unrolled one. The verdict and the transport
 * protocol found are written over the destination MAC so that the output
 * packet shows them. */
#include "parsing_helpers.h"

#define MAX_EXT_HDRS 8

struct ipv6_opt_hdr_view {
	__u8 nexthdr;
	__u8 hdrlen;
};

struct frag_hdr_view {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;
	__be32 identification;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u8);
	__type(value, __u64);
	__uint(max_entries, 32);
} l4_seen SEC(".maps");

static __noinline int skip_ext_headers(struct hdr_cursor *nh, void *data_end, __u8 nexthdr,
				       __u8 *fragmented)
{
	int i;

	for (i = 0; i < MAX_EXT_HDRS; i++) {
		struct ipv6_opt_hdr_view *opt = nh->pos;

		if ((void *)(opt + 1) > data_end)
			return -1;
		switch (nexthdr) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_DSTOPTS:
		case IPPROTO_ROUTING:
			nexthdr = opt->nexthdr;
			nh->pos += (opt->hdrlen + 1) * 8;
			break;
		case IPPROTO_AH:
			nexthdr = opt->nexthdr;
			nh->pos += (opt->hdrlen + 2) * 4;
			break;
		case IPPROTO_FRAGMENT: {
			struct frag_hdr_view *frag = nh->pos;

			if ((void *)(frag + 1) > data_end)
				return -1;
			if (bpf_ntohs(frag->frag_off) & 0xfff8)
				*fragmented = 2; /* not the first fragment */
			else
				*fragmented = 1;
			nexthdr = frag->nexthdr;
			nh->pos = frag + 1;
			break;
		}
		default:
			return nexthdr;
		}
	}
	return -1;
}

SEC("xdp")
int xdp_ipv6_l4(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor nh = { .pos = data };
	struct ethhdr *eth;
	struct ipv6hdr *ip6h;
	__u8 fragmented = 0, proto;
	__u64 one = 1, *seen;
	int nexthdr, verdict = XDP_PASS;

	if (parse_ethhdr(&nh, data_end, &eth) != bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	nexthdr = parse_ip6hdr(&nh, data_end, &ip6h);
	if (nexthdr < 0)
		return XDP_ABORTED;
	nexthdr = skip_ext_headers(&nh, data_end, nexthdr, &fragmented);
	if (nexthdr < 0)
		verdict = XDP_DROP;
	else if (fragmented == 2)
		verdict = XDP_DROP;

	proto = nexthdr < 0 ? 255 : nexthdr;
	seen = bpf_map_lookup_elem(&l4_seen, &proto);
	if (seen)
		__sync_fetch_and_add(seen, 1);
	else
		bpf_map_update_elem(&l4_seen, &proto, &one, BPF_NOEXIST);

	eth->h_dest[0] = proto;
	eth->h_dest[1] = fragmented;
	eth->h_dest[2] = (__u8)(nh.pos - data);
	return verdict;
}

char _license[] SEC("license") = "GPL";
