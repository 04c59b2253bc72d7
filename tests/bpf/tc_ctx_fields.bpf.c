/* Every __sk_buff field a tc program may read (tc_cls_act_is_valid_access:
 * all but the socket fields family..local_port), copied into `fields`
 * (ctx_fields.h), and every field it may write, written with values taken
 * from the input so that ctx_in steers them, then read back:
 *   mark += 0x100 + len          priority = priority * 2 + 7
 *   cb[i] += i + 1               tc_index = cb[0] (kept in 16 bits)
 *   tc_classid = cb[1] (16 bits) queue_mapping = cb[2] (0xffff and above:
 *                                  no change, NO_QUEUE_MAPPING)
 *   tstamp += 1000
 * The verdict: TC_ACT_PIPE (3) when mark was odd, else TC_ACT_OK (0). */
#include "ctx_fields.h"

SEC("tc")
int tc_read_fields(struct __sk_buff *skb)
{
	save_skb_common(skb);
	SAVE(tc_classid, skb);
	SAVE(tstamp, skb);
	SAVE(wire_len, skb);
	SAVE(tstamp_type, skb);
	SAVE(hwtstamp, skb);
	save(SLOT_EXTRA + 0, skb->data_end - skb->data);
	save(SLOT_EXTRA + 1, skb->data - skb->data_meta);
	return skb->mark & 1 ? 3 : 0;
}

SEC("tc")
int tc_write_fields(struct __sk_buff *skb)
{
	__u32 mark = skb->mark;

	skb->mark = mark + 0x100 + skb->len;
	skb->priority = skb->priority * 2 + 7;
	skb->tc_index = skb->cb[0];
	skb->tc_classid = skb->cb[1];
	skb->queue_mapping = skb->cb[2];
	skb->tstamp += 1000;
	write_skb_cb(skb);
	save_skb_written(skb);
	SAVE_AFTER(tc_classid, skb);
	SAVE_AFTER(tstamp, skb);
	return mark & 1 ? 3 : 0;
}

SEC("tc")
int tc_narrow_loads(struct __sk_buff *skb)
{
	save_skb_narrow(skb);
	save(SLOT_NARROW + 32, NARROW(skb, tc_classid, __u8, 0));
	save(SLOT_NARROW + 33, NARROW(skb, wire_len, __u16, 0));
	save(SLOT_NARROW + 34, NARROW(skb, gso_segs, __u8, 0));
	/* Fields the kernel keeps in 16 bits: a 2-byte load of the slot's
	 * high half reads the whole field, a 1-byte load the field's bytes. */
	save(SLOT_NARROW + 35, NARROW(skb, gso_segs, __u8, 1));
	save(SLOT_NARROW + 36, NARROW(skb, gso_segs, __u16, 2));
	save(SLOT_NARROW + 37, NARROW(skb, gso_size, __u8, 1));
	save(SLOT_NARROW + 38, NARROW(skb, gso_size, __u16, 2));
	skb->tc_index = 0x1234;
	save(SLOT_NARROW + 39, NARROW(skb, tc_index, __u8, 1));
	save(SLOT_AFTER + SKB_SLOT(tc_index), NARROW(skb, tc_index, __u16, 2));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
