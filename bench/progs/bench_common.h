/* What the benchmark programs share: the headers, and the packet layout
 * the harness builds (bench/bench_packets.c). Every program computes
 * something that the harness compares between the engines: its return
 * value and, where it writes one, the output packet. Programs are written
 * so that repeated runs are in a steady state: they never read what they
 * write, and map contents reach a fixed shape after the first run (or the
 * object's "setup" program fills them before any timing). */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef ETH_P_8021Q
#define ETH_P_8021Q 0x8100
#endif

struct vlan_hdr {
	__be16 tci;
	__be16 encapsulated_proto;
};

#define noinline __attribute__((noinline))

#endif
