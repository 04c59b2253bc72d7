/* BPF_PROG_TEST_RUN for the __sk_buff types, as the kernel's
 * bpf_prog_test_run_skb() (net/bpf/test_run.c) builds the skb: the packet in
 * a buffer with NET_SKB_PAD of headroom, received on the loopback device by
 * eth_type_trans() (which sets protocol and pkt_type and pulls the Ethernet
 * header), then, for tc, the Ethernet header pushed back. A ctx_in may set
 * only some fields; after the run, for socket filters and cgroup skb
 * programs, the Ethernet header is pushed back as zeros before the packet is
 * copied out. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "engine/prog.h"
#include "progtypes/skb.h"
#include "progtypes/test_run.h"

#define SKB_MAX_SIZE (4096u - SKB_HEADROOM - SKB_TAILROOM)
#define SKB_WIRE_LEN_MAX 65536u /* GSO_LEGACY_MAX_SIZE */
#define SKB_GSO_SEGS_MAX 65535u /* GSO_MAX_SEGS */

#define ETH_P_802_3_MIN 0x0600
#define ETH_P_802_3 0x0001
#define ETH_P_802_2 0x0004
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86dd
#define AF_INET 2
#define AF_INET6 10
#define PACKET_HOST 0
#define PACKET_MULTICAST 2
#define PACKET_OTHERHOST 3

/* Bytes [from, to) of the UAPI context are zero. */
static bool skb_range_zero(const struct __sk_buff *md, size_t from, size_t to)
{
	const uint8_t *bytes = (const uint8_t *)md;

	for (size_t i = from; i < to; i++)
		if (bytes[i])
			return false;
	return true;
}

#define SKB_FIELD_END(field) (offsetof(struct __sk_buff, field) + sizeof(((struct __sk_buff *)0)->field))

/* convert___skb_to_skb(): the fields a ctx_in may set. */
static int skb_ctx_in_check(const struct bpfvm_prog *prog, const struct __sk_buff *md)
{
	/* The kernel looks the device up first. */
	if (md->ifindex > SKB_LOOPBACK_IFINDEX) {
		vm_error("%s: ctx_in: no device with ifindex %u (bpfvm has only the loopback, 1)",
			 prog->name, md->ifindex);
		return -ENODEV;
	}
	if (!skb_range_zero(md, 0, offsetof(struct __sk_buff, mark)) ||
	    !skb_range_zero(md, SKB_FIELD_END(mark), offsetof(struct __sk_buff, priority)) ||
	    !skb_range_zero(md, SKB_FIELD_END(ifindex), offsetof(struct __sk_buff, cb)) ||
	    !skb_range_zero(md, SKB_FIELD_END(cb), offsetof(struct __sk_buff, tstamp)) ||
	    !skb_range_zero(md, SKB_FIELD_END(gso_segs), offsetof(struct __sk_buff, gso_size)) ||
	    !skb_range_zero(md, SKB_FIELD_END(gso_size), offsetof(struct __sk_buff, hwtstamp))) {
		vm_error("%s: ctx_in: a __sk_buff may set only mark, priority, ingress_ifindex, "
			 "ifindex, cb, tstamp, wire_len, gso_segs, gso_size and hwtstamp",
			 prog->name);
		return -EINVAL;
	}
	if (md->gso_segs > SKB_GSO_SEGS_MAX) {
		vm_error("%s: ctx_in: gso_segs %u is above %u", prog->name, md->gso_segs,
			 SKB_GSO_SEGS_MAX);
		return -EINVAL;
	}
	return 0;
}

static uint16_t skb_load_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* What eth_type_trans() says on the loopback device, whose address is
 * 00:00:00:00:00:00 and whose broadcast address is zero too (so ff:ff:..
 * is multicast, not broadcast). `protocol` is in network order as the
 * kernel keeps it, here as the value a u16 load of it gives. */
static void skb_eth_type_trans(struct skb_ctx *skb, const uint8_t *eth, uint32_t size)
{
	static const uint8_t loopback_addr[6];
	uint16_t proto = skb_load_be16(eth + 12);

	if (memcmp(eth, loopback_addr, 6) == 0)
		skb->fields.pkt_type = PACKET_HOST;
	else if (eth[0] & 1)
		skb->fields.pkt_type = PACKET_MULTICAST;
	else
		skb->fields.pkt_type = PACKET_OTHERHOST;
	/* Below 0x600 the field is a length: 802.3 with the raw IPX magic
	 * 0xffff, else 802.2 LLC. */
	if (proto < ETH_P_802_3_MIN)
		proto = (size >= SKB_ETH_HLEN + 2 && skb_load_be16(eth + SKB_ETH_HLEN) == 0xffff)
				? ETH_P_802_3 : ETH_P_802_2;
	skb->fields.protocol = (uint16_t)(proto >> 8 | proto << 8);
}

/* The test run's dummy socket: its family and addresses come from the IP
 * header, which __sk_buff.family, local_ip4 (the source) and remote_ip4
 * (the destination) read. Linux 6.18 refuses an IPv4 or IPv6 packet whose
 * network header is shorter than struct iphdr / ipv6hdr with EINVAL
 * (observed: 33 bytes of IPv4 or 53 of IPv6 fail, 34 and 54 run). */
static int skb_socket_from_packet(const struct bpfvm_prog *prog, struct skb_ctx *skb,
				  const uint8_t *net, uint32_t net_len)
{
	uint16_t proto = skb_load_be16(skb->mac_header + 12);
	uint32_t need = proto == ETH_P_IP ? 20 : proto == ETH_P_IPV6 ? 40 : 0;

	if (net_len < need) {
		vm_error("%s: data_in: an %s packet needs a %u-byte network header, it has %u",
			 prog->name, proto == ETH_P_IP ? "IPv4" : "IPv6", need, net_len);
		return -EINVAL;
	}
	if (proto == ETH_P_IP) {
		skb->fields.family = AF_INET;
		memcpy(&skb->fields.local_ip4, net + 12, 4);
		memcpy(&skb->fields.remote_ip4, net + 16, 4);
	} else if (proto == ETH_P_IPV6) {
		skb->fields.family = AF_INET6;
		memcpy(skb->fields.local_ip6, net + 8, 16);
		memcpy(skb->fields.remote_ip6, net + 24, 16);
	}
	return 0;
}

/* Builds the skb in `buf` from data_in and the checked ctx_in (`md`, NULL
 * without one). */
static int skb_build(const struct bpfvm_prog *prog, const struct bpfvm_test_run_opts *opts,
		     const struct __sk_buff *md, uint8_t *buf, struct skb_ctx *skb)
{
	uint32_t size = opts->data_size_in;
	bool is_l2 = prog->type == BPF_PROG_TYPE_SCHED_CLS || prog->type == BPF_PROG_TYPE_SCHED_ACT;
	int err;

	memcpy(buf + SKB_HEADROOM, opts->data_in, size);
	memset(skb, 0, sizeof(*skb));
	skb->head = buf;
	skb->mac_header = buf + SKB_HEADROOM;
	skb->network_header = skb->mac_header + SKB_ETH_HLEN;
	skb_eth_type_trans(skb, skb->mac_header, size);
	err = skb_socket_from_packet(prog, skb, skb->network_header, size - SKB_ETH_HLEN);

	if (err)
		return err;
	skb->data = is_l2 ? skb->mac_header : skb->network_header;
	skb->fields.len = is_l2 ? size : size - SKB_ETH_HLEN;
	skb->data_end = skb->data + skb->fields.len;
	skb->data_meta = skb->data;
	skb->fields.ifindex = SKB_LOOPBACK_IFINDEX;
	/* Without a ctx_in the kernel sets none of the fields below, not even
	 * wire_len (its qdisc cb pkt_len stays 0). */
	if (!md)
		return 0;
	skb->fields.wire_len = skb->fields.len;
	skb->fields.mark = md->mark;
	skb->fields.priority = md->priority;
	skb->fields.ingress_ifindex = md->ingress_ifindex;
	skb->fields.tstamp = md->tstamp;
	memcpy(skb->fields.cb, md->cb, sizeof(md->cb));
	if (md->wire_len) {
		if (md->wire_len < skb->fields.len || md->wire_len > SKB_WIRE_LEN_MAX) {
			vm_error("%s: ctx_in: wire_len %u is outside [%u, %u]", prog->name,
				 md->wire_len, skb->fields.len, SKB_WIRE_LEN_MAX);
			return -EINVAL;
		}
		skb->fields.wire_len = md->wire_len;
	}
	skb->fields.gso_segs = md->gso_segs;
	skb->fields.gso_size = (uint16_t)md->gso_size; /* a u16 in skb_shared_info */
	skb->fields.hwtstamp = md->hwtstamp;
	return 0;
}

/* convert_skb_to___skb(): the fields the run hands back. */
static void skb_ctx_to_md(const struct skb_ctx *skb, struct __sk_buff *md)
{
	md->mark = skb->fields.mark;
	md->priority = skb->fields.priority;
	md->ingress_ifindex = skb->fields.ingress_ifindex;
	md->ifindex = skb->fields.ifindex;
	md->tstamp = skb->fields.tstamp;
	memcpy(md->cb, skb->fields.cb, sizeof(md->cb));
	md->wire_len = skb->fields.wire_len;
	md->gso_segs = skb->fields.gso_segs;
	md->hwtstamp = skb->fields.hwtstamp;
}

static int skb_check_opts(const struct bpfvm_prog *prog, const struct bpfvm_test_run_opts *opts)
{
	if (opts->flags || opts->cpu) {
		vm_error("%s: test runs of __sk_buff programs take no flags and no cpu",
			 prog->name);
		return -EINVAL;
	}
	if (opts->data_size_in < SKB_ETH_HLEN || opts->data_size_in > SKB_MAX_SIZE) {
		vm_error("%s: data_in of %u bytes: a packet has %u to %u bytes", prog->name,
			 opts->data_size_in, SKB_ETH_HLEN, SKB_MAX_SIZE);
		return -EINVAL;
	}
	return 0;
}

static int skb_run_and_finish(struct bpfvm_prog *prog, struct bpfvm_test_run_opts *opts,
			      struct skb_ctx *skb, struct __sk_buff *md)
{
	int err = progtype_test_run_repeat(prog, skb, opts);

	if (err)
		return err;
	if (skb->data != skb->mac_header) {
		skb->data -= SKB_ETH_HLEN;
		skb->fields.len += SKB_ETH_HLEN;
		memset(skb->data, 0, SKB_ETH_HLEN);
	}
	err = test_run_data_out(prog, opts, skb->data, skb->fields.len);
	if (!err && md) {
		skb_ctx_to_md(skb, md);
		err = test_run_ctx_out(prog, opts, md, sizeof(*md));
	}
	return err;
}

int skb_test_run(struct bpfvm_prog *prog, struct bpfvm_test_run_opts *opts)
{
	struct __sk_buff md;
	struct skb_ctx skb;
	uint8_t *buf;
	int has_ctx, err;

	err = skb_check_opts(prog, opts);
	if (err)
		return err;
	has_ctx = test_run_ctx_in(prog, opts, &md, sizeof(md));
	if (has_ctx < 0)
		return has_ctx;
	if (has_ctx) {
		err = skb_ctx_in_check(prog, &md);
		if (err)
			return err;
	}
	buf = calloc(1, SKB_HEADROOM + opts->data_size_in + SKB_TAILROOM);
	if (!buf) {
		vm_error("%s: out of memory for the packet", prog->name);
		return -ENOMEM;
	}
	err = skb_build(prog, opts, has_ctx ? &md : NULL, buf, &skb);
	if (!err)
		err = skb_run_and_finish(prog, opts, &skb, has_ctx ? &md : NULL);
	free(buf);
	return err;
}
