/* The input packets of bench_progs: Ethernet frames built in memory, or
 * read from a file (--data). */
#ifndef BENCH_PACKETS_H
#define BENCH_PACKETS_H

#include <stdint.h>

#define BENCH_PACKET_MAX 2048

enum bench_packet_kind {
	PACKET_IPV4_TCP,      /* 128 bytes: Ethernet, IPv4, TCP, payload */
	PACKET_IPV6_UDP,      /* 128 bytes: Ethernet, IPv6, UDP, payload */
	PACKET_VLAN_IPV4_UDP, /* 128 bytes: Ethernet, 802.1Q tag, IPv4, UDP, payload */
	PACKET_IPV4_UDP_1K,   /* 1024 bytes: Ethernet, IPv4, UDP, payload */
	PACKET_IPV4_TCP_HTTP, /* 256 bytes: Ethernet, IPv4, TCP to port 80, an HTTP
			       * request (bench_packets.c), zero padding */
};

struct bench_packet {
	uint8_t bytes[BENCH_PACKET_MAX];
	uint32_t len;
};

void bench_packet_build(struct bench_packet *packet, enum bench_packet_kind kind);

/* Errors: -errno of the read, -E2BIG (longer than BENCH_PACKET_MAX). */
int bench_packet_read(struct bench_packet *packet, const char *path);

#endif
