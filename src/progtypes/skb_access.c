/* Which struct __sk_buff accesses each type allows, and how each becomes one
 * load or store of struct skb_ctx (layout in skb.h), the queue_mapping store
 * guarded as the kernel guards it. The rules are the kernel's
 * (net/core/filter.c): bpf_skb_is_valid_access for all, narrowed by
 * sk_filter_is_valid_access, tc_cls_act_is_valid_access,
 * cg_skb_is_valid_access, sk_skb_is_valid_access and lwt_is_valid_access;
 * the rewrites reproduce bpf_convert_ctx_access and the verifier's
 * narrow-load handling. */
#include <errno.h>
#include <stddef.h>

#include "core/error.h"
#include "engine/prog.h"
#include "progtypes/skb.h"

#define SKB_UAPI_SIZE ((int32_t)sizeof(struct __sk_buff))
#define SKB_OFF(field) ((int32_t)offsetof(struct __sk_buff, field))
#define SKB_END(field) (SKB_OFF(field) + (int32_t)sizeof(((struct __sk_buff *)0)->field))
#define SKB_IN(off, field) ((off) >= SKB_OFF(field) && (off) < SKB_END(field))

/* A field as the kernel loads it: `width` is the size of the kernel's own
 * field (the target size of its rewrite; 0 for arrays, accessed as
 * written), `runtime` the skb_ctx offset of packet pointers. */
struct skb_field {
	int16_t off;
	uint8_t len;   /* bytes of the UAPI slot */
	uint8_t width;
	int16_t runtime;
	enum ctx_field_kind kind;
};

#define SCALAR(field, w) { SKB_OFF(field), sizeof(((struct __sk_buff *)0)->field), w, -1, \
			   CTX_FIELD_SCALAR }
#define POINTER(field, member, k) { SKB_OFF(field), 4, 8, offsetof(struct skb_ctx, member), k }

static const struct skb_field skb_fields[] = {
	SCALAR(len, 4),		SCALAR(pkt_type, 1),	   SCALAR(mark, 4),
	SCALAR(queue_mapping, 2), SCALAR(protocol, 2),	   SCALAR(vlan_present, 1),
	SCALAR(vlan_tci, 2),	SCALAR(vlan_proto, 2),	   SCALAR(priority, 4),
	SCALAR(ingress_ifindex, 4), SCALAR(ifindex, 4),	   SCALAR(tc_index, 2),
	SCALAR(cb, 0),		SCALAR(hash, 4),	   SCALAR(tc_classid, 2),
	POINTER(data, data, CTX_FIELD_PACKET),
	POINTER(data_end, data_end, CTX_FIELD_PACKET_END),
	SCALAR(napi_id, 4),	SCALAR(family, 2),	   SCALAR(remote_ip4, 4),
	SCALAR(local_ip4, 4),	SCALAR(remote_ip6, 0),	   SCALAR(local_ip6, 0),
	SCALAR(remote_port, 2), SCALAR(local_port, 2),
	POINTER(data_meta, data_meta, CTX_FIELD_PACKET_META),
	SCALAR(tstamp, 8),	SCALAR(wire_len, 4),	   SCALAR(gso_segs, 2),
	{ SKB_OFF(sk), 8, 8, -1, CTX_FIELD_SOCK_COMMON_OR_NULL },
	SCALAR(gso_size, 2),	SCALAR(tstamp_type, 1),	   SCALAR(hwtstamp, 8),
};

static uint8_t skb_size_code(uint32_t bytes)
{
	switch (bytes) {
	case 1:
		return BPF_B;
	case 2:
		return BPF_H;
	case 4:
		return BPF_W;
	default:
		return BPF_DW;
	}
}

/* bpf_skb_is_valid_access(): the rules common to every __sk_buff type. */
static bool skb_common_ok(int32_t off, uint32_t size, bool is_write)
{
	if (off < 0 || off >= SKB_UAPI_SIZE || off % (int32_t)size)
		return false;
	if (SKB_IN(off, cb))
		return off + (int32_t)size <= SKB_END(cb);
	if (SKB_IN(off, remote_ip6) || SKB_IN(off, local_ip6) || SKB_IN(off, remote_ip4) ||
	    SKB_IN(off, local_ip4) || SKB_IN(off, data) || SKB_IN(off, data_meta) ||
	    SKB_IN(off, data_end))
		return size == 4;
	if (SKB_IN(off, flow_keys))
		return false;
	if (SKB_IN(off, hwtstamp))
		return !is_write && size == 8;
	if (SKB_IN(off, tstamp))
		return size == 8;
	if (off == SKB_OFF(sk))
		return !is_write && size == 8;
	/* tstamp_type (tc reads it, below) and the padding after it. */
	if (off >= SKB_OFF(tstamp_type) && off < SKB_OFF(hwtstamp))
		return false;
	/* Only narrow reads, and whole-field writes. */
	return is_write ? size == 4 : size <= 4;
}

/* sk_filter_is_valid_access(): socket filters see no packet pointers, no
 * socket fields, no time stamps, and write only cb[]. */
static bool skb_socket_filter_ok(int32_t off, uint32_t size, bool is_write)
{
	if (SKB_IN(off, tc_classid) || SKB_IN(off, data) || SKB_IN(off, data_meta) ||
	    SKB_IN(off, data_end) || (off >= SKB_OFF(family) && off < SKB_END(local_port)) ||
	    SKB_IN(off, tstamp) || SKB_IN(off, wire_len) || SKB_IN(off, hwtstamp))
		return false;
	if (is_write && !SKB_IN(off, cb))
		return false;
	return skb_common_ok(off, size, is_write);
}

/* tc_cls_act_is_valid_access(). */
static bool skb_tc_ok(int32_t off, uint32_t size, bool is_write)
{
	if (is_write && !(SKB_IN(off, mark) || SKB_IN(off, tc_index) || SKB_IN(off, priority) ||
			  SKB_IN(off, tc_classid) || SKB_IN(off, cb) || SKB_IN(off, tstamp) ||
			  SKB_IN(off, queue_mapping)))
		return false;
	if (off >= SKB_OFF(family) && off < SKB_END(local_port))
		return false;
	if (off == SKB_OFF(tstamp_type))
		return size == 1;
	return skb_common_ok(off, size, is_write);
}

/* cg_skb_is_valid_access(), for a privileged loader (bpf_capable()), as
 * bpfvm's programs are: they may read data and data_end and write tstamp. */
static bool skb_cgroup_ok(int32_t off, uint32_t size, bool is_write)
{
	if (SKB_IN(off, tc_classid) || SKB_IN(off, data_meta) || SKB_IN(off, wire_len))
		return false;
	if (is_write && !(SKB_IN(off, mark) || SKB_IN(off, priority) || SKB_IN(off, cb) ||
			  SKB_IN(off, tstamp)))
		return false;
	return skb_common_ok(off, size, is_write);
}

/* sk_skb_is_valid_access(): the socket's fields but no mark, no time
 * stamps; writes to tc_index and priority only. */
static bool skb_sk_skb_ok(int32_t off, uint32_t size, bool is_write)
{
	if (SKB_IN(off, tc_classid) || SKB_IN(off, data_meta) || SKB_IN(off, tstamp) ||
	    SKB_IN(off, wire_len) || SKB_IN(off, hwtstamp) || SKB_IN(off, mark))
		return false;
	if (is_write && !(SKB_IN(off, tc_index) || SKB_IN(off, priority)))
		return false;
	return skb_common_ok(off, size, is_write);
}

/* lwt_is_valid_access(): no socket fields, no time stamps; writes to mark,
 * priority and cb[]. */
static bool skb_lwt_ok(int32_t off, uint32_t size, bool is_write)
{
	if (SKB_IN(off, tc_classid) || (off >= SKB_OFF(family) && off < SKB_END(local_port)) ||
	    SKB_IN(off, data_meta) || SKB_IN(off, tstamp) || SKB_IN(off, wire_len) ||
	    SKB_IN(off, hwtstamp))
		return false;
	if (is_write && !(SKB_IN(off, mark) || SKB_IN(off, priority) || SKB_IN(off, cb)))
		return false;
	return skb_common_ok(off, size, is_write);
}

static const struct skb_field *skb_field_at(int32_t off)
{
	for (size_t i = 0; i < sizeof(skb_fields) / sizeof(skb_fields[0]); i++)
		if (off >= skb_fields[i].off && off < skb_fields[i].off + skb_fields[i].len)
			return &skb_fields[i];
	return NULL;
}

/* The verifier turns a narrow load into a load of the kernel's field (width
 * bytes) followed, when the load is narrower than that, by a shift and a
 * mask. Over skb_ctx, whose slot holds the zero-extended field, both are one
 * load: the same bytes when narrower than the field, else the whole field
 * (a 2-byte load of the high half of `protocol` reads the protocol, as in
 * the kernel). */
static bool skb_rewrite(int32_t off, uint32_t size, struct ctx_rewrite *rewrite)
{
	const struct skb_field *field = skb_field_at(off);

	if (!field)
		return false;
	if (field->runtime >= 0) {
		*rewrite = (struct ctx_rewrite){ .off = field->runtime, .size = BPF_DW,
						 .kind = field->kind };
		return true;
	}
	/* A load at an offset inside a pointer or 8-byte field that the
	 * kernel accepts but cannot convert (it fails the load). */
	if (field->width == 8 && off != field->off)
		return false;
	if (field->width && size >= field->width)
		*rewrite = (struct ctx_rewrite){ .off = field->off,
						 .size = skb_size_code(field->width),
						 .kind = field->kind };
	else
		*rewrite = (struct ctx_rewrite){ .off = (int16_t)off, .size = skb_size_code(size),
						 .kind = field->kind };
	return true;
}

/* bpf_convert_ctx_access: a write of NO_QUEUE_MAPPING (0xffff) or more to
 * queue_mapping is skipped. */
#define SKB_NO_QUEUE_MAPPING 0xffffu

int skb_ctx_access(const struct bpfvm_prog *prog, enum skb_access_rules rules, int32_t off,
		   uint32_t size, bool is_write, struct ctx_rewrite *rewrite)
{
	bool ok;

	switch (rules) {
	case SKB_RULES_SOCKET_FILTER:
		ok = skb_socket_filter_ok(off, size, is_write);
		break;
	case SKB_RULES_TC:
		ok = skb_tc_ok(off, size, is_write);
		break;
	case SKB_RULES_SK_SKB:
		ok = skb_sk_skb_ok(off, size, is_write);
		break;
	case SKB_RULES_LWT:
		ok = skb_lwt_ok(off, size, is_write);
		break;
	default:
		ok = skb_cgroup_ok(off, size, is_write);
		break;
	}
	if (!ok || !skb_rewrite(off, size, rewrite)) {
		vm_error("%s: invalid bpf_context access off=%d size=%u%s", prog->name, off, size,
			 is_write ? " (write)" : "");
		return -EACCES;
	}
	if (is_write && SKB_IN(off, queue_mapping))
		rewrite->store_limit = SKB_NO_QUEUE_MAPPING;
	return 0;
}
