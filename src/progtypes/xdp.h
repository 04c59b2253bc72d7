/* The runtime context of XDP programs: what r1 points to while an XDP
 * program runs, in place of the UAPI struct xdp_md (progtype.h).
 *
 *   struct xdp_ctx                          UAPI access rewritten to it
 *   +0   uint8_t *data                      xdp_md.data        u32 @0  -> u64 @0
 *   +8   uint8_t *data_end                  xdp_md.data_end    u32 @4  -> u64 @8
 *   +16  uint8_t *data_meta                 xdp_md.data_meta   u32 @8  -> u64 @16
 *   +24  uint32_t ingress_ifindex           xdp_md.ingress_ifindex @12 -> @24
 *   +28  uint32_t rx_queue_index            xdp_md.rx_queue_index  @16 -> @28
 *   +32  uint32_t egress_ifindex            xdp_md.egress_ifindex  @20 -> @32
 *   +36  uint32_t frame_sz                  (helpers only)
 *   +40  uint8_t *data_hard_start           (helpers only)
 *
 * The frame, as the kernel's test run lays it out (net/bpf/test_run.c):
 *
 *   data_hard_start                                      + frame_sz (4096)
 *   | xdp_frame | headroom .. | meta | packet    | ..    | skb_shared_info |
 *   |  40 bytes |             ^data_meta ^data   ^data_end  320 bytes      |
 *   |<-------- 256 (XDP_PACKET_HEADROOM) ------>|
 *
 * adjust_head and adjust_meta may move the start down to the end of the
 * xdp_frame; adjust_tail may move the end up to the shared info. */
#ifndef BPFVM_PROGTYPES_XDP_H
#define BPFVM_PROGTYPES_XDP_H

#include <stdint.h>

struct xdp_ctx {
	uint8_t *data;
	uint8_t *data_end;
	uint8_t *data_meta;
	uint32_t ingress_ifindex;
	uint32_t rx_queue_index;
	uint32_t egress_ifindex;
	uint32_t frame_sz;
	uint8_t *data_hard_start;
};

#define XDP_FRAME_SIZE 4096u	      /* one page per frame */
#define XDP_FRAME_HEADER_SIZE 40u     /* sizeof(struct xdp_frame) on x86-64 */
#define XDP_TAILROOM 320u	      /* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) */
#define XDP_ETH_HLEN 14u

/* The kernel's xdp_metalen_invalid(): metadata is whole u32s and fits the
 * u8 meta_len of skb_shared_info. */
static inline int xdp_metalen_invalid(uint64_t metalen)
{
	return (metalen & 3) || metalen > 255;
}

#endif
