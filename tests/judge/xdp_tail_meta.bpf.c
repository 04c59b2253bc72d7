/* selftests' test_xdp_adjust_tail_{shrink,grow}.c and xdp_meta style:
 * shrink or grow the tail by an amount that depends on the packet, write the
 * grown bytes, push metadata and read it back. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_adjust_tail_shrink(struct xdp_md *xdp)
{
	void *data_end = (void *)(long)xdp->data_end;
	void *data = (void *)(long)xdp->data;
	int offset;

	/* The selftest trims 54-byte packets by 4 and others by 20. */
	offset = (data_end - data == 54) ? 4 : 20;
	if (bpf_xdp_adjust_tail(xdp, 0 - offset))
		return XDP_DROP;
	return XDP_TX;
}

SEC("xdp")
int xdp_adjust_tail_grow(struct xdp_md *xdp)
{
	void *data_end = (void *)(long)xdp->data_end;
	void *data = (void *)(long)xdp->data;
	int data_len = data_end - data;
	int offset = 0;
	__u8 *tail;

	if (data_len == 54)
		offset = 256;
	else if (data_len == 74)
		offset = 40;
	else if (data_len == 64)
		offset = 4096; /* too much: fails */
	else
		offset = 10;
	if (bpf_xdp_adjust_tail(xdp, offset))
		return XDP_DROP;
	data_end = (void *)(long)xdp->data_end;
	data = (void *)(long)xdp->data;
	data_len = (data_end - data - 2) & 0xfff;
	tail = data + data_len;
	if ((void *)(tail + 2) > data_end)
		return XDP_ABORTED;
	tail[0] = 0xee;
	tail[1] = 0xff;
	return XDP_TX;
}

struct meta {
	__u32 mark;
	__u16 len;
	__u16 magic;
};

SEC("xdp")
int xdp_meta_roundtrip(struct xdp_md *ctx)
{
	void *data, *data_meta, *data_end;
	struct meta *m;
	struct ethhdr *eth;

	if (bpf_xdp_adjust_meta(ctx, 0 - (int)sizeof(*m)))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_meta = (void *)(long)ctx->data_meta;
	data_end = (void *)(long)ctx->data_end;
	m = data_meta;
	if ((void *)(m + 1) > data)
		return XDP_ABORTED;
	m->mark = 0x01020304;
	m->len = data_end - data;
	m->magic = 0xbeef;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	eth->h_source[5] = (__u8)m->len;
	/* Meta data must be 4-byte aligned: an odd size fails. */
	if (bpf_xdp_adjust_meta(ctx, -3) == 0)
		return XDP_DROP;
	return XDP_PASS;
}

SEC("xdp")
int xdp_head_then_tail(struct xdp_md *ctx)
{
	void *data, *data_end;
	__u8 *p;

	if (bpf_xdp_adjust_head(ctx, 14))
		return XDP_ABORTED;
	if (bpf_xdp_adjust_tail(ctx, -4))
		return XDP_ABORTED;
	if (bpf_xdp_adjust_head(ctx, -20))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	p = data;
	if ((void *)(p + 20) > data_end)
		return XDP_ABORTED;
	__builtin_memset(p, 0x5a, 20);
	/* Past the headroom: fails with -EINVAL. */
	if (bpf_xdp_adjust_head(ctx, -4096) == 0)
		return XDP_DROP;
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
