/* Programs in the style of public ones, the kind a user brings to
 * `bpfvm prog run ... repeat N`: an XDP DDoS filter (a blocklist HASH and
 * per-source counters in an LRU_HASH, as the XDP tutorials' and
 * Cloudflare's filters keep them), a tc NAT rewriting the destination with
 * the checksum helpers, SipHash-2-4 and a bitwise CRC-32 over the packet,
 * and an HTTP request parser (a bounded loop, a state machine over the
 * bytes, its state in map memory, volatile). Written for steady state as the rest of the corpus
 * (bench_common.h): the filter's source is inserted by the first run and
 * found by every later one; the NAT writes the same address and port each
 * time (the first run changes them, later ones replace them by
 * themselves). */
#include "bench_common.h"

#define TC_ACT_OK 0
#define BLOCKED 64	   /* addresses public_setup puts in the blocklist */
#define HASH_BYTES 64	   /* what siphash and crc32 read, from the IP header */
#define HTTP_MAX 200	   /* bytes of TCP payload the parser looks at */

/* ---- XDP DDoS filter ---------------------------------------------------- */

struct source_stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u32);
} blocklist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct source_stats);
} sources SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} per_protocol SEC(".maps");

/* Blocks 172.16.0.0 .. 172.16.0.63 (not the packet's 192.168.0.1). */
SEC("xdp")
int public_setup(struct xdp_md *ctx)
{
	for (__u32 i = 0; i < BLOCKED; i++) {
		__u32 addr = bpf_htonl(0xac100000 + i), reason = i + 1;

		if (bpf_map_update_elem(&blocklist, &addr, &reason, BPF_ANY))
			return 1;
	}
	return 0;
}

SEC("xdp")
int xdp_ddos(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct source_stats *stats, fresh = {};
	__u32 saddr, protocol;
	__u64 *count;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	protocol = ip->protocol;
	count = bpf_map_lookup_elem(&per_protocol, &protocol);
	if (count)
		__sync_fetch_and_add(count, 1);
	saddr = ip->saddr;
	if (bpf_map_lookup_elem(&blocklist, &saddr))
		return XDP_DROP;
	stats = bpf_map_lookup_elem(&sources, &saddr);
	if (!stats) {
		bpf_map_update_elem(&sources, &saddr, &fresh, BPF_NOEXIST);
		stats = bpf_map_lookup_elem(&sources, &saddr);
		if (!stats)
			return XDP_ABORTED;
	}
	__sync_fetch_and_add(&stats->packets, 1);
	__sync_fetch_and_add(&stats->bytes, (__u64)(end - data));
	return XDP_PASS;
}

/* ---- tc NAT with checksum fix-ups ---------------------------------------- */

#define IP_CSUM_OFF (ETH_HLEN + __builtin_offsetof(struct iphdr, check))
#define IP_DST_OFF (ETH_HLEN + __builtin_offsetof(struct iphdr, daddr))
#define TCP_CSUM_OFF (ETH_HLEN + sizeof(struct iphdr) + __builtin_offsetof(struct tcphdr, check))
#define TCP_DPORT_OFF (ETH_HLEN + sizeof(struct iphdr) + __builtin_offsetof(struct tcphdr, dest))

/* Destination NAT to 10.0.0.9:8080, as tc NAT examples do it: the TCP
 * checksum for the pseudo-header address and the port, the IP header
 * checksum, the stores. Returns both checksums as they end up. */
SEC("tc")
int tc_nat(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *tcp = (void *)(ip + 1);
	__u32 old_addr, new_addr = bpf_htonl(0x0a000009);
	__u16 old_port, new_port = bpf_htons(8080);

	if ((void *)(tcp + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 ||
	    ip->protocol != IPPROTO_TCP)
		return TC_ACT_OK;
	old_addr = ip->daddr;
	old_port = tcp->dest;
	bpf_l4_csum_replace(skb, TCP_CSUM_OFF, old_addr, new_addr,
			    BPF_F_PSEUDO_HDR | sizeof(new_addr));
	bpf_l3_csum_replace(skb, IP_CSUM_OFF, old_addr, new_addr, sizeof(new_addr));
	bpf_skb_store_bytes(skb, IP_DST_OFF, &new_addr, sizeof(new_addr), 0);
	bpf_l4_csum_replace(skb, TCP_CSUM_OFF, old_port, new_port, sizeof(new_port));
	bpf_skb_store_bytes(skb, TCP_DPORT_OFF, &new_port, sizeof(new_port), 0);

	/* the helpers invalidated the packet pointers */
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	ip = data + ETH_HLEN;
	tcp = (void *)(ip + 1);
	if ((void *)(tcp + 1) > end)
		return TC_ACT_OK;
	return (__u32)ip->check << 16 | tcp->check;
}

/* ---- SipHash-2-4 and CRC-32 ------------------------------------------------ */

static __always_inline __u64 rol64(__u64 word, unsigned int shift)
{
	return (word << shift) | (word >> (64 - shift));
}

#define SIPROUND                                                               \
	do {                                                                   \
		v0 += v1; v1 = rol64(v1, 13); v1 ^= v0; v0 = rol64(v0, 32);    \
		v2 += v3; v3 = rol64(v3, 16); v3 ^= v2;                        \
		v0 += v3; v3 = rol64(v3, 21); v3 ^= v0;                        \
		v2 += v1; v1 = rol64(v1, 17); v1 ^= v2; v2 = rol64(v2, 32);    \
	} while (0)

/* SipHash-2-4 (the kernel's lib/siphash.c) of HASH_BYTES bytes from the IP
 * header, with a fixed key: what a flow-hashing program computes. */
SEC("xdp")
int xdp_siphash(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u64 *words = data + ETH_HLEN;
	__u64 k0 = 0x0706050403020100ull, k1 = 0x0f0e0d0c0b0a0908ull;
	__u64 v0 = 0x736f6d6570736575ull ^ k0, v1 = 0x646f72616e646f6dull ^ k1;
	__u64 v2 = 0x6c7967656e657261ull ^ k0, v3 = 0x7465646279746573ull ^ k1;
	__u64 b = (__u64)HASH_BYTES << 56;

	if ((void *)words + HASH_BYTES > end)
		return 0;
	for (int i = 0; i < HASH_BYTES / 8; i++) {
		__u64 m = words[i];

		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	b = v0 ^ v1 ^ v2 ^ v3;
	return (__u32)(b ^ (b >> 32));
}

/* CRC-32 (IEEE, reflected), a bit at a time as table-less code does it,
 * over HASH_BYTES bytes from the IP header with a bounds check per byte. */
SEC("xdp")
int xdp_crc32(struct xdp_md *ctx)
{
	__u8 *byte = (void *)(long)ctx->data + ETH_HLEN, *end = (void *)(long)ctx->data_end;
	__u32 crc = 0xffffffff;

#pragma clang loop unroll(disable)
	for (int i = 0; i < HASH_BYTES; i++) {
		if ((void *)(byte + 1) > (void *)end)
			break;
		crc ^= *byte++;
		for (int bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
	}
	return ~crc;
}

/* ---- An HTTP request parser ------------------------------------------------ */

enum http_state { METHOD, PATH, QUERY, VERSION, LINE_END, HEADER_NAME, HEADER_VALUE, DONE };

/* The parser's state, kept in a per-CPU scratch value as parsers keep
 * theirs (the verifier does not follow values in map memory, so it need
 * not walk every state at every byte: it could not, 1,000,000 instructions
 * in the kernel as in bpfvm). */
struct http_info {
	__u32 state;	   /* enum http_state */
	__u32 name_len;	   /* of the header being read */
	__u32 in_host;	   /* reading the Host header's value */
	__u32 method;	   /* the method's first 4 bytes */
	__u32 path_hash;   /* FNV-1a of the path */
	__u32 path_len;
	__u32 params;	   /* query parameters */
	__u32 minor;	   /* HTTP/1.x */
	__u32 headers;
	__u32 host_hash;   /* FNV-1a of the Host header's value */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct http_info);
} http_scratch SEC(".maps");

/* One byte of the request through the state machine. */
static __always_inline enum http_state http_step(volatile struct http_info *info, __u8 c)
{
	switch (info->state) {
	case METHOD:
		if (c == ' ')
			return PATH;
		info->method = info->method << 8 | c;
		return METHOD;
	case PATH:
		if (c == ' ')
			return VERSION;
		if (c == '?') {
			info->params = 1;
			return QUERY;
		}
		info->path_hash = (info->path_hash ^ c) * 16777619u;
		info->path_len++;
		return PATH;
	case QUERY:
		if (c == ' ')
			return VERSION;
		if (c == '&')
			info->params++;
		return QUERY;
	case VERSION:
		if (c >= '0' && c <= '9')
			info->minor = c - '0';
		return c == '\r' ? LINE_END : VERSION;
	case LINE_END:
		if (c != '\n')
			return DONE;
		info->name_len = 0;
		return HEADER_NAME;
	case HEADER_NAME:
		if (c == '\r')
			return DONE; /* the blank line */
		if (c == ':') {
			info->headers++;
			info->in_host = info->name_len == 4;
			return HEADER_VALUE;
		}
		info->name_len++;
		return HEADER_NAME;
	case HEADER_VALUE:
		if (c == '\r')
			return LINE_END;
		if (info->in_host && c != ' ')
			info->host_hash = (info->host_hash ^ c) * 16777619u;
		return HEADER_VALUE;
	default:
		return DONE;
	}
}

SEC("xdp")
int xdp_http(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	struct tcphdr *tcp = (void *)(ip + 1);
	volatile struct http_info *info;
	__u32 zero = 0;
	__u8 *payload;

	if ((void *)(tcp + 1) > end || ip->ihl != 5 || ip->protocol != IPPROTO_TCP ||
	    tcp->dest != bpf_htons(80))
		return 0;
	info = bpf_map_lookup_elem(&http_scratch, &zero);
	if (!info)
		return 0;
	info->state = info->name_len = info->in_host = info->method = 0;
	info->path_len = info->params = info->minor = info->headers = 0;
	info->path_hash = info->host_hash = 2166136261u;
	payload = (__u8 *)tcp + tcp->doff * 4;
	for (int i = 0; i < HTTP_MAX && info->state != DONE; i++) {
		if ((void *)(payload + i + 1) > end)
			break;
		info->state = http_step(info, payload[i]);
	}
	return info->method ^ info->path_hash ^ info->host_hash ^ info->path_len << 24 ^
	       info->params << 16 ^ info->minor << 12 ^ info->headers << 8 ^ info->state;
}

char _license[] SEC("license") = "GPL";
