/* Every __sk_buff field a cgroup skb program may read
 * (cg_skb_is_valid_access, for a bpf_capable loader: all but tc_classid,
 * data_meta and wire_len, with the socket's family, addresses and ports),
 * copied into `fields` (ctx_fields.h), at ingress and at egress; the fields
 * it may write (mark, priority, cb[], tstamp) written and read back:
 *   mark += 0x100 + len   priority = priority * 2 + 7
 *   cb[i] += i + 1        tstamp += 1000
 * The verdict is 1 (allow). */
#include "ctx_fields.h"

static __always_inline void save_cgroup_fields(struct __sk_buff *skb)
{
	save_skb_common(skb);
	SAVE(family, skb);
	SAVE(remote_ip4, skb);
	SAVE(local_ip4, skb);
	SAVE(remote_ip6[0], skb);
	SAVE(remote_ip6[1], skb);
	SAVE(remote_ip6[2], skb);
	SAVE(remote_ip6[3], skb);
	SAVE(local_ip6[0], skb);
	SAVE(local_ip6[1], skb);
	SAVE(local_ip6[2], skb);
	SAVE(local_ip6[3], skb);
	SAVE(remote_port, skb);
	SAVE(local_port, skb);
	SAVE(tstamp, skb);
	SAVE(hwtstamp, skb);
	save(SLOT_EXTRA + 0, skb->data_end - skb->data);
}

static __always_inline void write_cgroup_fields(struct __sk_buff *skb)
{
	skb->mark = skb->mark + 0x100 + skb->len;
	skb->priority = skb->priority * 2 + 7;
	skb->tstamp += 1000;
	write_skb_cb(skb);
	save_skb_written(skb);
	SAVE_AFTER(tstamp, skb);
}

SEC("cgroup_skb/ingress")
int cgroup_ingress_fields(struct __sk_buff *skb)
{
	save_cgroup_fields(skb);
	write_cgroup_fields(skb);
	return 1;
}

SEC("cgroup_skb/egress")
int cgroup_egress_fields(struct __sk_buff *skb)
{
	save_cgroup_fields(skb);
	write_cgroup_fields(skb);
	return 1;
}

SEC("cgroup_skb/egress")
int cgroup_narrow_loads(struct __sk_buff *skb)
{
	save_skb_narrow(skb);
	save(SLOT_NARROW + 32, NARROW(skb, family, __u8, 0));
	save(SLOT_NARROW + 33, NARROW(skb, remote_port, __u16, 0));
	save(SLOT_NARROW + 34, NARROW(skb, local_port, __u16, 0));
	save(SLOT_NARROW + 35, NARROW(skb, family, __u8, 1));
	save(SLOT_NARROW + 36, NARROW(skb, family, __u16, 2));
	save(SLOT_NARROW + 37, NARROW(skb, gso_segs, __u16, 2));
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
