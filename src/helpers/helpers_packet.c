/* Packet helpers: reading and writing the packet of an __sk_buff program
 * (skb_load_bytes, skb_load_bytes_relative, skb_store_bytes) and moving the
 * bounds of an XDP frame (xdp_adjust_head, xdp_adjust_meta,
 * xdp_adjust_tail), with the kernel's checks and error codes
 * (net/core/filter.c). r1 is the runtime context: struct skb_ctx
 * (progtypes/skb.h) or struct xdp_ctx (progtypes/xdp.h). The checksum
 * helpers are in helpers_csum.c; this file holds the table of both. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "helpers/helper_proto.h"
#include "helpers/helpers_csum.h"
#include "progtypes/skb.h"
#include "progtypes/xdp.h"

/* Bytes [offset, offset + len) of the packet, or NULL when outside. */
static uint8_t *packet_bytes(struct skb_ctx *skb, uint32_t offset, uint32_t len)
{
	if (offset > INT_MAX || (uint64_t)offset + len > skb->fields.len)
		return NULL;
	return skb->data + offset;
}

/* On failure the destination is cleared: the verifier counts it as
 * initialised either way (ARG_PTR_TO_UNINIT_MEM). */
static uint64_t helper_skb_load_bytes(uint64_t ctx, uint64_t offset, uint64_t to, uint64_t len,
				      uint64_t unused)
{
	const uint8_t *src = packet_bytes((struct skb_ctx *)(uintptr_t)ctx, (uint32_t)offset,
					  (uint32_t)len);

	if (!src) {
		memset((void *)(uintptr_t)to, 0, (uint32_t)len);
		return (uint64_t)-EFAULT;
	}
	memcpy((void *)(uintptr_t)to, src, (uint32_t)len);
	return 0;
}

/* Offsets from the Ethernet header (BPF_HDR_START_MAC) or the network
 * header (BPF_HDR_START_NET), up to the end of the packet. */
static uint64_t helper_skb_load_bytes_relative(uint64_t ctx, uint64_t offset, uint64_t to,
					       uint64_t len, uint64_t start_header)
{
	const struct skb_ctx *skb = (const struct skb_ctx *)(uintptr_t)ctx;
	const uint8_t *tail = skb->data + skb->fields.len;
	const uint8_t *start = NULL;
	uint32_t off = (uint32_t)offset, size = (uint32_t)len;

	if ((uint32_t)start_header == BPF_HDR_START_MAC)
		start = skb->mac_header;
	else if ((uint32_t)start_header == BPF_HDR_START_NET)
		start = skb->network_header;
	if (off > 0xffff || !start || (uint64_t)(tail - start) < (uint64_t)off + size) {
		memset((void *)(uintptr_t)to, 0, size);
		return (uint64_t)-EFAULT;
	}
	memcpy((void *)(uintptr_t)to, start + off, size);
	return 0;
}

/* A write past the packet fails with -EFAULT (observed on Linux 6.18). */
static uint64_t helper_skb_store_bytes(uint64_t ctx, uint64_t offset, uint64_t from,
				       uint64_t len, uint64_t flags)
{
	struct skb_ctx *skb = (struct skb_ctx *)(uintptr_t)ctx;
	uint32_t off = (uint32_t)offset, size = (uint32_t)len;

	if (flags & ~(uint64_t)(BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH))
		return (uint64_t)-EINVAL;
	if (off > INT_MAX)
		return (uint64_t)-EFAULT;
	if ((uint64_t)off + size > skb->fields.len)
		return (uint64_t)-EFAULT;
	memcpy(skb->data + off, (const void *)(uintptr_t)from, size);
	if (flags & BPF_F_INVALIDATE_HASH)
		skb->fields.hash = 0;
	return 0;
}

/* Positions in the frame as integers, so that an out-of-range request is
 * compared, never formed as a pointer. */
static uintptr_t xdp_addr(const uint8_t *p)
{
	return (uintptr_t)p;
}

/* Metadata sits right below data; moving data moves it along. */
static uint64_t helper_xdp_adjust_head(uint64_t ctx, uint64_t offset, uint64_t r3, uint64_t r4,
				       uint64_t r5)
{
	struct xdp_ctx *xdp = (struct xdp_ctx *)(uintptr_t)ctx;
	int64_t delta = (int32_t)offset;
	uintptr_t metalen = xdp_addr(xdp->data) - xdp_addr(xdp->data_meta);
	intptr_t data = (intptr_t)xdp_addr(xdp->data) + delta;
	intptr_t lowest = (intptr_t)(xdp_addr(xdp->data_hard_start) + XDP_FRAME_HEADER_SIZE + metalen);

	if (data < lowest || data > (intptr_t)(xdp_addr(xdp->data_end) - XDP_ETH_HLEN))
		return (uint64_t)-EINVAL;
	if (metalen)
		memmove(xdp->data_meta + delta, xdp->data_meta, metalen);
	xdp->data_meta += delta;
	xdp->data += delta;
	return 0;
}

static uint64_t helper_xdp_adjust_meta(uint64_t ctx, uint64_t offset, uint64_t r3, uint64_t r4,
				       uint64_t r5)
{
	struct xdp_ctx *xdp = (struct xdp_ctx *)(uintptr_t)ctx;
	int64_t delta = (int32_t)offset;
	intptr_t meta = (intptr_t)xdp_addr(xdp->data_meta) + delta;
	intptr_t lowest = (intptr_t)(xdp_addr(xdp->data_hard_start) + XDP_FRAME_HEADER_SIZE);

	if (meta < lowest || meta > (intptr_t)xdp_addr(xdp->data))
		return (uint64_t)-EINVAL;
	if (xdp_metalen_invalid((uint64_t)((intptr_t)xdp_addr(xdp->data) - meta)))
		return (uint64_t)-EACCES;
	xdp->data_meta += delta;
	return 0;
}

/* The end may grow up to the shared info at the top of the frame (the new
 * bytes are zeroed) and shrink down to an Ethernet header. */
static uint64_t helper_xdp_adjust_tail(uint64_t ctx, uint64_t offset, uint64_t r3, uint64_t r4,
				       uint64_t r5)
{
	struct xdp_ctx *xdp = (struct xdp_ctx *)(uintptr_t)ctx;
	int64_t delta = (int32_t)offset;
	intptr_t end = (intptr_t)xdp_addr(xdp->data_end) + delta;
	intptr_t hard_end =
		(intptr_t)(xdp_addr(xdp->data_hard_start) + xdp->frame_sz - XDP_TAILROOM);

	if (end > hard_end || end < (intptr_t)(xdp_addr(xdp->data) + XDP_ETH_HLEN))
		return (uint64_t)-EINVAL;
	if (delta > 0)
		memset(xdp->data_end, 0, (size_t)delta);
	xdp->data_end += delta;
	return 0;
}

#define SKB HELPER_FAMILY_SKB
#define SKB_WRITE HELPER_FAMILY_SKB_WRITE
#define XDP HELPER_FAMILY_XDP
#define SK_SKB HELPER_FAMILY_SK_SKB

/* Prototypes and families as the kernel's bpf_func_proto and *_func_proto:
 * every __sk_buff type reads the packet; tc writes it and fixes checksums;
 * sk_skb writes it without the checksum helpers; csum_diff serves tc and
 * XDP. */
const struct helper_proto helper_protos_packet[] = {
	{ BPF_FUNC_skb_store_bytes, "bpf_skb_store_bytes", helper_skb_store_bytes, RET_INTEGER,
	  { ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_ANYTHING },
	  SKB_WRITE | SK_SKB, false, false, 0 },
	{ BPF_FUNC_l3_csum_replace, "bpf_l3_csum_replace", helper_l3_csum_replace, RET_INTEGER,
	  { ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING },
	  SKB_WRITE, false, false, 0 },
	{ BPF_FUNC_l4_csum_replace, "bpf_l4_csum_replace", helper_l4_csum_replace, RET_INTEGER,
	  { ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING },
	  SKB_WRITE, false, false, 0 },
	{ BPF_FUNC_skb_load_bytes, "bpf_skb_load_bytes", helper_skb_load_bytes, RET_INTEGER,
	  { ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE },
	  SKB, false, false, 0 },
	{ BPF_FUNC_csum_diff, "bpf_csum_diff", helper_csum_diff, RET_INTEGER,
	  { ARG_PTR_TO_MEM_OR_NULL, ARG_CONST_SIZE_OR_ZERO, ARG_PTR_TO_MEM_OR_NULL,
	    ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING },
	  SKB_WRITE | XDP, false, false, 0 },
	{ BPF_FUNC_xdp_adjust_head, "bpf_xdp_adjust_head", helper_xdp_adjust_head, RET_INTEGER,
	  { ARG_PTR_TO_CTX, ARG_ANYTHING }, XDP, false, false, 0 },
	{ BPF_FUNC_xdp_adjust_meta, "bpf_xdp_adjust_meta", helper_xdp_adjust_meta, RET_INTEGER,
	  { ARG_PTR_TO_CTX, ARG_ANYTHING }, XDP, false, false, 0 },
	{ BPF_FUNC_xdp_adjust_tail, "bpf_xdp_adjust_tail", helper_xdp_adjust_tail, RET_INTEGER,
	  { ARG_PTR_TO_CTX, ARG_ANYTHING }, XDP, false, false, 0 },
	{ BPF_FUNC_skb_load_bytes_relative, "bpf_skb_load_bytes_relative",
	  helper_skb_load_bytes_relative, RET_INTEGER,
	  { ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, ARG_ANYTHING },
	  SKB, false, false, 0 },
	{ 0, NULL, NULL, RET_INTEGER, { ARG_NONE }, 0, false, false, 0 },
};
