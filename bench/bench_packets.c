/* The packets bench_progs feeds the corpus: valid headers (the parsers
 * take the paths a real packet takes) and a payload of pseudo-random bytes
 * (the hashes and the switch dispatch see varied input), the same on every
 * run of the harness. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#include "bench_packets.h"

static void fill_payload(uint8_t *bytes, uint32_t len)
{
	uint32_t state = 0x2545f491;

	for (uint32_t i = 0; i < len; i++) {
		state = state * 1103515245u + 12345u;
		bytes[i] = (uint8_t)(state >> 16);
	}
}

static uint32_t put_eth(uint8_t *bytes, uint16_t proto)
{
	static const uint8_t dst[ETH_ALEN] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	static const uint8_t src[ETH_ALEN] = { 0x02, 0x66, 0x77, 0x88, 0x99, 0xaa };
	struct ethhdr eth = { .h_proto = htons(proto) };

	memcpy(eth.h_dest, dst, ETH_ALEN);
	memcpy(eth.h_source, src, ETH_ALEN);
	memcpy(bytes, &eth, sizeof(eth));
	return sizeof(eth);
}

static uint32_t put_vlan(uint8_t *bytes, uint16_t tci, uint16_t proto)
{
	uint16_t tag[2] = { htons(tci), htons(proto) };

	memcpy(bytes, tag, sizeof(tag));
	return sizeof(tag);
}

static uint32_t put_ipv4(uint8_t *bytes, uint8_t protocol, uint32_t total_len)
{
	struct iphdr ip = {
		.version = 4, .ihl = 5, .ttl = 64, .protocol = protocol,
		.tot_len = htons((uint16_t)total_len), .id = htons(0x1234),
		.saddr = htonl(0xc0a80001), .daddr = htonl(0x0a0b0c0d),
	};

	memcpy(bytes, &ip, sizeof(ip));
	return sizeof(ip);
}

static uint32_t put_ipv6(uint8_t *bytes, uint8_t nexthdr, uint32_t payload_len)
{
	struct ipv6hdr ip6 = {
		.version = 6, .nexthdr = nexthdr, .hop_limit = 64,
		.payload_len = htons((uint16_t)payload_len),
	};

	ip6.saddr.s6_addr32[0] = htonl(0x20010db8);
	ip6.saddr.s6_addr32[3] = htonl(1);
	ip6.daddr.s6_addr32[0] = htonl(0x20010db8);
	ip6.daddr.s6_addr32[3] = htonl(2);
	memcpy(bytes, &ip6, sizeof(ip6));
	return sizeof(ip6);
}

static uint32_t put_tcp(uint8_t *bytes)
{
	struct tcphdr tcp = {
		.source = htons(40000), .dest = htons(443), .seq = htonl(0x01020304),
		.doff = 5, .syn = 1, .window = htons(65535),
	};

	memcpy(bytes, &tcp, sizeof(tcp));
	return sizeof(tcp);
}

static uint32_t put_udp(uint8_t *bytes, uint32_t len)
{
	struct udphdr udp = { .source = htons(5353), .dest = htons(53),
			      .len = htons((uint16_t)len) };

	memcpy(bytes, &udp, sizeof(udp));
	return sizeof(udp);
}

/* What public.bpf.c's xdp_http parses: a request line and headers. */
static const char http_request[] =
	"GET /api/v1/items/42?user=alice&sort=price&limit=20 HTTP/1.1\r\n"
	"Host: shop.example.com\r\n"
	"User-Agent: bench/1.0\r\n"
	"Accept: */*\r\n"
	"Connection: keep-alive\r\n"
	"\r\n";

_Static_assert(14 + 20 + 20 + sizeof(http_request) - 1 <= 256, "the request fits its packet");

static uint32_t packet_len(enum bench_packet_kind kind)
{
	if (kind == PACKET_IPV4_UDP_1K)
		return 1024;
	return kind == PACKET_IPV4_TCP_HTTP ? 256 : 128;
}

void bench_packet_build(struct bench_packet *packet, enum bench_packet_kind kind)
{
	uint8_t *bytes = packet->bytes;
	uint32_t at = 0, len = packet_len(kind);

	fill_payload(bytes, len);
	switch (kind) {
	case PACKET_IPV4_TCP:
		at = put_eth(bytes, ETH_P_IP);
		at += put_ipv4(bytes + at, IPPROTO_TCP, len - at);
		put_tcp(bytes + at);
		break;
	case PACKET_IPV6_UDP:
		at = put_eth(bytes, ETH_P_IPV6);
		at += put_ipv6(bytes + at, IPPROTO_UDP, len - at - sizeof(struct ipv6hdr));
		put_udp(bytes + at, len - at);
		break;
	case PACKET_VLAN_IPV4_UDP:
		at = put_eth(bytes, ETH_P_8021Q);
		at += put_vlan(bytes + at, 100, ETH_P_IP);
		at += put_ipv4(bytes + at, IPPROTO_UDP, len - at);
		put_udp(bytes + at, len - at);
		break;
	case PACKET_IPV4_UDP_1K:
		at = put_eth(bytes, ETH_P_IP);
		at += put_ipv4(bytes + at, IPPROTO_UDP, len - at);
		put_udp(bytes + at, len - at);
		break;
	case PACKET_IPV4_TCP_HTTP:
		at = put_eth(bytes, ETH_P_IP);
		at += put_ipv4(bytes + at, IPPROTO_TCP, len - at);
		at += put_tcp(bytes + at);
		bytes[at - sizeof(struct tcphdr) + 2] = 0; /* destination port 80 */
		bytes[at - sizeof(struct tcphdr) + 3] = 80;
		memset(bytes + at, 0, len - at);
		memcpy(bytes + at, http_request, sizeof(http_request) - 1);
		break;
	}
	packet->len = len;
}

int bench_packet_read(struct bench_packet *packet, const char *path)
{
	FILE *file = fopen(path, "rb");
	size_t got;
	int err = 0;

	if (!file)
		return -errno;
	got = fread(packet->bytes, 1, sizeof(packet->bytes), file);
	if (ferror(file))
		err = -EIO;
	else if (got == sizeof(packet->bytes) && fgetc(file) != EOF)
		err = -E2BIG;
	fclose(file);
	packet->len = (uint32_t)got;
	return err;
}
