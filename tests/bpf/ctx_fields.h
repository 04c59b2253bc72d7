/* What the context-field programs (*_ctx_fields.bpf.c) share: a map with one
 * u64 slot per field, written by save(slot, value), so that a difference
 * between the kernel and bpfvm shows as one line naming the slot.
 *
 *   fields (ARRAY, key u32 slot, value u64)
 *     slot  0..47   values read before the program writes anything
 *     slot 48..55   values derived from them (data_end - data, ...)
 *     slot 56..95   narrow loads
 *     slot 96..143  values read back after the program's writes (96 + the
 *                   field's slot)
 *
 * The slots of struct __sk_buff fields are their u32 index in the UAPI
 * struct (offsetof / 4), so slot 2 is mark and slots 12..16 are cb[0..4];
 * xdp_md fields and raw_tracepoint arguments use their index too. Packet
 * pointers are saved only as differences: their values are addresses. */
#ifndef BPFVM_TESTS_BPF_CTX_FIELDS_H
#define BPFVM_TESTS_BPF_CTX_FIELDS_H

#include <stddef.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define SLOT_EXTRA 48  /* derived values: SLOT_EXTRA + 0..7 */
#define SLOT_NARROW 56 /* narrow loads: SLOT_NARROW + 0..39 */
#define SLOT_AFTER 96
#define SLOT_COUNT 144

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLOT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} fields SEC(".maps");

static __always_inline void save(__u32 slot, __u64 value)
{
	bpf_map_update_elem(&fields, &slot, &value, BPF_ANY);
}

#define SKB_SLOT(field) ((__u32)(offsetof(struct __sk_buff, field) / 4))
#define SAVE(field, skb) save(SKB_SLOT(field), (skb)->field)
#define SAVE_AFTER(field, skb) save(SLOT_AFTER + SKB_SLOT(field), (skb)->field)

/* A load of `type` at byte `at` of a field, as clang emits for a field read
 * through a narrower pointer (`*(__u8 *)&skb->mark`); volatile keeps it from
 * being merged with a neighbour. A cast or a mask of a field
 * (`(__u8)skb->mark`) stays a 32-bit load and an AND at -O2. */
#define NARROW(skb, field, type, at) \
	(*(volatile type *)((void *)(skb) + offsetof(struct __sk_buff, field) + (at)))


/* ---- struct __sk_buff ------------------------------------------------- */

/* The fields bpf_skb_is_valid_access() lets every __sk_buff type read. */
static __always_inline void save_skb_common(struct __sk_buff *skb)
{
	SAVE(len, skb);
	SAVE(pkt_type, skb);
	SAVE(mark, skb);
	SAVE(queue_mapping, skb);
	SAVE(protocol, skb);
	SAVE(vlan_present, skb);
	SAVE(vlan_tci, skb);
	SAVE(vlan_proto, skb);
	SAVE(priority, skb);
	SAVE(ingress_ifindex, skb);
	SAVE(ifindex, skb);
	SAVE(tc_index, skb);
	SAVE(cb[0], skb);
	SAVE(cb[1], skb);
	SAVE(cb[2], skb);
	SAVE(cb[3], skb);
	SAVE(cb[4], skb);
	SAVE(hash, skb);
	SAVE(napi_id, skb);
	SAVE(gso_segs, skb);
	SAVE(gso_size, skb);
}

/* The fields a program wrote, read back (slots from SLOT_AFTER). */
static __always_inline void save_skb_written(struct __sk_buff *skb)
{
	SAVE_AFTER(mark, skb);
	SAVE_AFTER(priority, skb);
	SAVE_AFTER(queue_mapping, skb);
	SAVE_AFTER(tc_index, skb);
	SAVE_AFTER(cb[0], skb);
	SAVE_AFTER(cb[1], skb);
	SAVE_AFTER(cb[2], skb);
	SAVE_AFTER(cb[3], skb);
	SAVE_AFTER(cb[4], skb);
}

/* cb[] is the one area every __sk_buff type may write: each word gets its
 * index plus one added, so ctx_out shows which words were written. */
static __always_inline void write_skb_cb(struct __sk_buff *skb)
{
	skb->cb[0] += 1;
	skb->cb[1] += 2;
	skb->cb[2] += 3;
	skb->cb[3] += 4;
	skb->cb[4] += 5;
}

/* Narrow loads of 32-bit fields: every byte of mark and of priority, both
 * halves of mark, protocol, queue_mapping and vlan_tci (the kernel keeps
 * the last three in 16 bits, pkt_type in 8: a load of their high bytes
 * gives what the verifier's rewrite gives), and bytes of cb[]. */
static __always_inline void save_skb_narrow(struct __sk_buff *skb)
{
	__u32 slot = SLOT_NARROW;

	save(slot++, NARROW(skb, mark, __u8, 0));
	save(slot++, NARROW(skb, mark, __u8, 1));
	save(slot++, NARROW(skb, mark, __u8, 2));
	save(slot++, NARROW(skb, mark, __u8, 3));
	save(slot++, NARROW(skb, mark, __u16, 0));
	save(slot++, NARROW(skb, mark, __u16, 2));
	save(slot++, NARROW(skb, priority, __u8, 0));
	save(slot++, NARROW(skb, priority, __u8, 3));
	save(slot++, NARROW(skb, protocol, __u8, 0));
	save(slot++, NARROW(skb, protocol, __u8, 1));
	save(slot++, NARROW(skb, protocol, __u16, 0));
	save(slot++, NARROW(skb, protocol, __u16, 2));
	save(slot++, NARROW(skb, pkt_type, __u8, 0));
	save(slot++, NARROW(skb, pkt_type, __u8, 3));
	save(slot++, NARROW(skb, pkt_type, __u16, 2));
	save(slot++, NARROW(skb, len, __u16, 0));
	save(slot++, NARROW(skb, len, __u8, 1));
	save(slot++, NARROW(skb, cb[1], __u8, 2));
	save(slot++, NARROW(skb, cb[4], __u16, 2));
	/* Casts and masks: 32-bit loads, then AND and shifts. */
	save(slot++, (__u8)skb->mark);
	save(slot++, (__u16)skb->priority);
	save(slot++, skb->mark >> 24);
	save(slot++, (skb->mark >> 8) & 0xff);
}

#endif
