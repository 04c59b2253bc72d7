/* The runtime context of the __sk_buff program types (socket filter, tc
 * classifier and action, cgroup skb; sk_skb and lwt have the access rules
 * and rewrites, but no test run yet): what r1 points to while they run, in
 * place of the UAPI struct __sk_buff (progtype.h).
 *
 * The first 192 bytes are a struct __sk_buff holding each scalar field at
 * its UAPI offset, in its UAPI width, with the value the kernel's rewrite
 * would produce (protocol in network order zero-extended, pkt_type in the
 * low byte, ...). A read becomes a read of the same bytes; a write becomes a
 * write of the kernel's width (tc_index and tc_classid are u16 in the
 * kernel: a u32 write stores the low half, so the high half stays zero).
 * The packet pointers, u32 slots in the UAPI, are 64-bit pointers past it:
 *
 *   struct skb_ctx
 *   +0    struct __sk_buff fields    scalars at their UAPI offsets; the
 *                                    data/data_end/data_meta slots (76, 80,
 *                                    140), flow_keys and sk stay zero
 *   +192  uint8_t *data              __sk_buff.data      u32 @76  -> u64 @192
 *   +200  uint8_t *data_end          __sk_buff.data_end  u32 @80  -> u64 @200
 *   +208  uint8_t *data_meta         __sk_buff.data_meta u32 @140 -> u64 @208
 *   +216  uint8_t *head              (helpers only) start of the buffer
 *   +224  uint8_t *mac_header        (helpers only) the Ethernet header
 *   +232  uint8_t *network_header    (helpers only) past the Ethernet header
 *   +240  bool encapsulation         (helpers only) skb->encapsulation
 *
 * The buffer, as the kernel's test run builds the skb:
 *
 *   head          mac_header     network_header
 *   | NET_SKB_PAD | Ethernet (14) | packet ...          | shared info |
 *                 ^data (tc)      ^data (socket, cgroup)
 *   data + fields.len is the end of the packet (the skb is linear). */
#ifndef BPFVM_PROGTYPES_SKB_H
#define BPFVM_PROGTYPES_SKB_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/bpf.h>

#include "progtypes/progtype.h"

struct skb_ctx {
	struct __sk_buff fields;
	uint8_t *data;
	uint8_t *data_end;
	uint8_t *data_meta;
	uint8_t *head;
	uint8_t *mac_header;
	uint8_t *network_header;
	/* skb->encapsulation: set by bpf_skb_adjust_room's first
	 * encapsulation, which a second one finds (-EALREADY). */
	bool encapsulation;
};

#define SKB_ETH_HLEN 14u
#define SKB_HEADROOM 64u  /* NET_SKB_PAD + NET_IP_ALIGN on x86-64 */
#define SKB_TAILROOM 320u /* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) */
#define SKB_LOOPBACK_IFINDEX 1u

/* Which rules a type's accesses follow; the kernel's *_is_valid_access. */
enum skb_access_rules {
	SKB_RULES_SOCKET_FILTER,
	SKB_RULES_TC,
	SKB_RULES_CGROUP,
	SKB_RULES_SK_SKB, /* sk_skb: stream parser and verdict */
	SKB_RULES_LWT,	  /* lwt_in, lwt_out, lwt_xmit, lwt_seg6local */
};

/* Checks an access to struct __sk_buff under `rules` and says how it is
 * rewritten for struct skb_ctx. 0 or -EACCES with a message. */
int skb_ctx_access(const struct bpfvm_prog *prog, enum skb_access_rules rules, int32_t off,
		   uint32_t size, bool is_write, struct ctx_rewrite *rewrite);

/* BPF_PROG_TEST_RUN for every __sk_buff type (skb_test_run.c). */
int skb_test_run(struct bpfvm_prog *prog, struct bpfvm_test_run_opts *opts);

/* ld_abs / ld_ind read the linear data from skb->data. */
void skb_legacy_packet(void *ctx, const uint8_t **data, uint64_t *len);

#endif
