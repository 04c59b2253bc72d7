/* The room of the test run's linear skb: bpf_skb_pull_data, and
 * bpf_skb_adjust_room (net/core/filter.c), which grows or shrinks the room
 * between the Ethernet and the IP header (BPF_ADJ_ROOM_MAC) or past the IP
 * header's fixed part (BPF_ADJ_ROOM_NET), for tunnel encapsulation and
 * decapsulation, with the kernel's checks and error codes in the kernel's
 * order:
 *
 *   a flag outside the known ones                       -EINVAL
 *   |len_diff| above 0xfff                              -EFAULT
 *   a protocol other than IPv4 or IPv6, another mode    -ENOTSUPP (524)
 *   DECAP_L3 flags when growing, or both of them        -EINVAL
 *   shrinking to less than the (inner) IP header        -ENOTSUPP
 *   a GSO skb (ctx_in's gso_size: its gso_type is 0)    -ENOTSUPP
 *   growing: ENCAP_L3 IPv4 and IPv6, L4 GRE and UDP,
 *   ENCAP_L2_ETH under 14 bytes                         -EINVAL
 *   an encapsulation of an encapsulated skb (an
 *   earlier call's: skb->encapsulation stays set, even
 *   after a DECAP shrink)                               -EALREADY
 *   an inner L2 longer than the room                    -EINVAL
 *   shrinking with an ENCAP flag                        -EINVAL
 *
 * The new room is zeroed; the headers before it move down, as
 * bpf_skb_generic_push/pop; skb->protocol follows an ENCAP_L3 or DECAP_L3
 * flag. The checksum state and the inner header offsets the kernel keeps
 * for encapsulation have no reader in bpfvm. Difference (docs/differences.md):
 * the test run's skb is not reallocated, so growth is bounded by its
 * headroom (64 bytes, NET_SKB_PAD's): more is -ENOMEM where the kernel's
 * skb_cow_head would reallocate. r1 is struct skb_ctx (progtypes/skb.h),
 * whose data is the Ethernet header (tc). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>

#include "core/error.h"
#include "helpers/helper_proto.h"
#include "progtypes/skb.h"

#define ADJ_ROOM_LEN_MAX 0xfffu
/* Newer than some UAPI headers. */
#define ADJ_ROOM_DECAP_L3_IPV4 (1ULL << 7)
#define ADJ_ROOM_DECAP_L3_IPV6 (1ULL << 8)
#define ADJ_ROOM_DECAP_L3_MASK (ADJ_ROOM_DECAP_L3_IPV4 | ADJ_ROOM_DECAP_L3_IPV6)
#define ADJ_ROOM_ENCAP_L3_MASK (BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L3_IPV6)
#define ADJ_ROOM_ENCAP_L2_SHIFT 56
#define ADJ_ROOM_KNOWN                                                                         \
	(BPF_F_ADJ_ROOM_FIXED_GSO | ADJ_ROOM_ENCAP_L3_MASK | BPF_F_ADJ_ROOM_ENCAP_L4_GRE |     \
	 BPF_F_ADJ_ROOM_ENCAP_L4_UDP | BPF_F_ADJ_ROOM_ENCAP_L2_ETH |                           \
	 (0xffULL << ADJ_ROOM_ENCAP_L2_SHIFT) | ADJ_ROOM_DECAP_L3_MASK |                       \
	 BPF_F_ADJ_ROOM_NO_CSUM_RESET)
#define ADJ_ROOM_SHRINK_FLAGS                                                                  \
	(BPF_F_ADJ_ROOM_FIXED_GSO | ADJ_ROOM_DECAP_L3_MASK | BPF_F_ADJ_ROOM_NO_CSUM_RESET)

/* bpf_skb_net_base_len: the fixed IP header of skb->protocol, 0 for others. */
static uint32_t ip_base_len(uint16_t proto_be)
{
	if (proto_be == htons(ETH_P_IP))
		return 20;
	if (proto_be == htons(ETH_P_IPV6))
		return 40;
	return 0;
}

static void set_protocol(struct skb_ctx *skb, uint16_t proto)
{
	skb->fields.protocol = htons(proto);
}

static void move_data(struct skb_ctx *skb, int32_t delta)
{
	skb->data += delta;
	skb->mac_header += delta;
	skb->network_header += delta;
	skb->fields.len -= (uint32_t)delta;
	skb->data_end = skb->data + skb->fields.len;
	skb->data_meta = skb->data;
}

static int64_t room_grow(struct skb_ctx *skb, uint32_t off, uint32_t len, uint64_t flags)
{
	uint32_t inner_mac_len = (uint32_t)(flags >> ADJ_ROOM_ENCAP_L2_SHIFT);
	uint16_t proto_be = (uint16_t)skb->fields.protocol;
	bool encap = flags & ADJ_ROOM_ENCAP_L3_MASK;

	if (skb->fields.gso_size)
		return -KERNEL_ENOTSUPP;
	if (len > (uint32_t)(skb->data - skb->head))
		return -ENOMEM;
	if (encap) {
		if ((flags & ADJ_ROOM_ENCAP_L3_MASK) == ADJ_ROOM_ENCAP_L3_MASK ||
		    ((flags & BPF_F_ADJ_ROOM_ENCAP_L4_GRE) && (flags & BPF_F_ADJ_ROOM_ENCAP_L4_UDP)) ||
		    ((flags & BPF_F_ADJ_ROOM_ENCAP_L2_ETH) && inner_mac_len < ETH_HLEN))
			return -EINVAL;
		if (skb->encapsulation)
			return -EALREADY;
		if (inner_mac_len > len)
			return -EINVAL;
	}
	/* The bytes that move lie in the packet: the test run refuses IP
	 * packets shorter than their fixed header, as the kernel's does, and
	 * nothing here shortens one below it; a guard, not a kernel rule. */
	if (off > skb->fields.len)
		return -EFAULT;
	move_data(skb, -(int32_t)len);
	memmove(skb->data, skb->data + len, off);
	memset(skb->data + off, 0, len);
	skb->encapsulation |= encap;
	if (proto_be == htons(ETH_P_IP) && (flags & BPF_F_ADJ_ROOM_ENCAP_L3_IPV6))
		set_protocol(skb, ETH_P_IPV6);
	else if (proto_be == htons(ETH_P_IPV6) && (flags & BPF_F_ADJ_ROOM_ENCAP_L3_IPV4))
		set_protocol(skb, ETH_P_IP);
	return 0;
}

static int64_t room_shrink(struct skb_ctx *skb, uint32_t off, uint32_t len, uint64_t flags)
{
	if (flags & ~ADJ_ROOM_SHRINK_FLAGS)
		return -EINVAL;
	if (skb->fields.gso_size)
		return -KERNEL_ENOTSUPP;
	if ((uint64_t)off + len > skb->fields.len)
		return -ENOMEM;
	memmove(skb->data + len, skb->data, off);
	move_data(skb, (int32_t)len);
	if (flags & ADJ_ROOM_DECAP_L3_IPV4)
		set_protocol(skb, ETH_P_IP);
	else if (flags & ADJ_ROOM_DECAP_L3_IPV6)
		set_protocol(skb, ETH_P_IPV6);
	return 0;
}

/* The smallest network part a shrink may leave: the IP header, or the inner
 * one a DECAP_L3 flag names; 0 for a bad DECAP_L3 combination. */
static uint32_t shrink_min(uint32_t base, uint64_t flags)
{
	switch (flags & ADJ_ROOM_DECAP_L3_MASK) {
	case 0:
		return base;
	case ADJ_ROOM_DECAP_L3_IPV4:
		return 20;
	case ADJ_ROOM_DECAP_L3_IPV6:
		return 40;
	default:
		return 0;
	}
}

static uint64_t helper_skb_adjust_room(uint64_t ctx, uint64_t len_diff, uint64_t mode,
				       uint64_t flags, uint64_t r5)
{
	struct skb_ctx *skb = (struct skb_ctx *)(uintptr_t)ctx;
	int32_t diff = (int32_t)len_diff;
	uint32_t len = diff < 0 ? 0u - (uint32_t)diff : (uint32_t)diff;
	uint32_t base = ip_base_len((uint16_t)skb->fields.protocol);
	uint32_t off = (uint32_t)(skb->network_header - skb->data);
	uint32_t len_cur = skb->fields.len - off, len_min;

	if (flags & ~ADJ_ROOM_KNOWN)
		return (uint64_t)-EINVAL;
	if (len > ADJ_ROOM_LEN_MAX)
		return (uint64_t)-EFAULT;
	if (!base || ((uint32_t)mode != BPF_ADJ_ROOM_NET && (uint32_t)mode != BPF_ADJ_ROOM_MAC))
		return (uint64_t)-KERNEL_ENOTSUPP;
	if ((uint32_t)mode == BPF_ADJ_ROOM_NET)
		off += base;
	len_min = shrink_min(base, flags);
	if ((flags & ADJ_ROOM_DECAP_L3_MASK) && (diff >= 0 || !len_min))
		return (uint64_t)-EINVAL;
	if (diff < 0 && (len >= len_cur || len_cur - len < len_min))
		return (uint64_t)-KERNEL_ENOTSUPP;
	return (uint64_t)(diff < 0 ? room_shrink(skb, off, len, flags)
				   : room_grow(skb, off, len, flags));
}

/* bpf_try_make_writable: the skb is linear, so every byte up to its
 * length is already there: 0, or -ENOMEM past the end (len 0: the whole
 * head). Packet pointers are invalid after it, as in the kernel. */
static uint64_t helper_skb_pull_data(uint64_t ctx, uint64_t len, uint64_t r3, uint64_t r4,
				     uint64_t r5)
{
	const struct skb_ctx *skb = (const struct skb_ctx *)(uintptr_t)ctx;

	return (uint32_t)len > skb->fields.len ? (uint64_t)-ENOMEM : 0;
}

/* adjust_room: tc_cls_act_func_proto and sk_skb_func_proto
 * (progtypes: helpers_added); pull_data: tc and lwt_xmit (SKB_WRITE), every
 * lwt type and sk_skb (helpers_added). */
const struct helper_proto helper_protos_skb_room[] = {
	{ .id = BPF_FUNC_skb_pull_data, .name = "bpf_skb_pull_data", .fn = helper_skb_pull_data,
	  .args = { ARG_PTR_TO_CTX, ARG_ANYTHING }, .families = HELPER_FAMILY_SKB_WRITE },
	{ .id = BPF_FUNC_skb_adjust_room, .name = "bpf_skb_adjust_room",
	  .fn = helper_skb_adjust_room,
	  .args = { ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING } },
	{ 0 },
};
