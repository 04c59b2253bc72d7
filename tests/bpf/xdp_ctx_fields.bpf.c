/* Every xdp_md field a plain XDP program may read (xdp_is_valid_access:
 * whole 4-byte loads; egress_ifindex only for devmap programs, which have no
 * test run), copied into `fields` (ctx_fields.h, slot = field index), with
 * what follows from them: the packet's length, the metadata's length, and
 * the first byte of the packet and of the metadata. The verdict: XDP_PASS
 * (2) for a packet of an even length, XDP_TX (3) for an odd one. */
#include "ctx_fields.h"

#define XDP_SLOT(field) ((__u32)(offsetof(struct xdp_md, field) / 4))

SEC("xdp")
int xdp_read_fields(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	void *data_meta = (void *)(long)ctx->data_meta;
	__u64 packet_len = data_end - data, meta_len = data - data_meta;

	save(XDP_SLOT(data), ctx->data - ctx->data_meta);
	save(XDP_SLOT(data_end), ctx->data_end - ctx->data);
	save(XDP_SLOT(data_meta), ctx->data_meta ? 1 : 0);
	save(XDP_SLOT(ingress_ifindex), ctx->ingress_ifindex);
	save(XDP_SLOT(rx_queue_index), ctx->rx_queue_index);
	save(SLOT_EXTRA + 0, packet_len);
	save(SLOT_EXTRA + 1, meta_len);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + 1 <= data_end)
		save(SLOT_EXTRA + 2, *(__u8 *)data);
	data_meta = (void *)(long)ctx->data_meta;
	data = (void *)(long)ctx->data;
	if (data_meta + 1 <= data)
		save(SLOT_EXTRA + 3, *(__u8 *)data_meta);
	return packet_len & 1 ? XDP_TX : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
