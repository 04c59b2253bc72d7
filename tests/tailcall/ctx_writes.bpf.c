/* What a caller writes to the context and the packet before a tail call, the
 * callee sees (SEMANTICS.md: tail calls, R1 in the callee is the same ctx).
 *
 *   tc_writer   sets skb->mark, skb->priority, cb[0..4] and the packet's
 *               first payload byte, then tail-calls tc_reader, which checks
 *               each value (a bit per value that differs) and records what
 *               it saw in cb[] and the packet, for ctx_out and data_out.
 *   xdp_shrink  moves data 14 bytes forward (bpf_xdp_adjust_head) and puts a
 *               u32 in 8 bytes of new metadata (bpf_xdp_adjust_meta), then
 *               tail-calls xdp_reader, which writes the length and metadata
 *               it sees at the start of the (new) packet and returns XDP_TX.
 *               Both fall back to XDP_ABORTED / XDP_DROP when a step fails. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MARK 0x5eed1234
#define PRIORITY 6
#define PAYLOAD_OFFSET 42
#define PAYLOAD_BYTE 0x7e

int tc_reader(struct __sk_buff *skb);
int xdp_reader(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct __sk_buff *));
} tc_jmp SEC(".maps") = {
	.values = { [0] = (void *)&tc_reader },
};

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct xdp_md *));
} xdp_jmp SEC(".maps") = {
	.values = { [0] = (void *)&xdp_reader },
};

SEC("tc")
int tc_writer(struct __sk_buff *skb)
{
	__u8 *data = (void *)(long)skb->data;
	__u8 *data_end = (void *)(long)skb->data_end;

	if (data + PAYLOAD_OFFSET + 1 > data_end)
		return -2;
	data[PAYLOAD_OFFSET] = PAYLOAD_BYTE;
	skb->mark = MARK;
	skb->priority = PRIORITY;
	for (int i = 0; i < 5; i++)
		skb->cb[i] = 0x100 + i;
	bpf_tail_call(skb, &tc_jmp, 0);
	return -1;
}

SEC("tc")
int tc_reader(struct __sk_buff *skb)
{
	__u8 *data = (void *)(long)skb->data;
	__u8 *data_end = (void *)(long)skb->data_end;
	int differs = 0;

	if (data + PAYLOAD_OFFSET + 2 > data_end)
		return -2;
	if (skb->mark != MARK)
		differs |= 1;
	if (skb->priority != PRIORITY)
		differs |= 2;
	for (int i = 0; i < 5; i++) {
		if (skb->cb[i] != 0x100 + i)
			differs |= 4 << i;
	}
	if (data[PAYLOAD_OFFSET] != PAYLOAD_BYTE)
		differs |= 0x100;
	/* What the callee saw, for ctx_out and data_out. */
	skb->cb[0] = skb->mark;
	skb->cb[1] = skb->cb[4] + skb->priority;
	data[PAYLOAD_OFFSET + 1] = data[PAYLOAD_OFFSET] + 1;
	return differs;
}

#define META_VALUE 0xfeedf00d

SEC("xdp")
int xdp_shrink(struct xdp_md *ctx)
{
	__u32 *meta;
	void *data;

	if (bpf_xdp_adjust_head(ctx, 14))
		return XDP_ABORTED;
	if (bpf_xdp_adjust_meta(ctx, -8))
		return XDP_ABORTED;
	meta = (void *)(long)ctx->data_meta;
	data = (void *)(long)ctx->data;
	if ((void *)(meta + 2) > data)
		return XDP_ABORTED;
	meta[0] = META_VALUE;
	meta[1] = 0;
	bpf_tail_call(ctx, &xdp_jmp, 0);
	return XDP_DROP;
}

SEC("xdp")
int xdp_reader(struct xdp_md *ctx)
{
	__u32 *meta = (void *)(long)ctx->data_meta;
	__u8 *data = (void *)(long)ctx->data;
	__u8 *data_end = (void *)(long)ctx->data_end;
	__u32 len = data_end - data, meta_len = (__u8 *)data - (__u8 *)meta;

	if (data + 12 > data_end || (void *)(meta + 1) > (void *)data)
		return XDP_DROP;
	/* The new packet starts with what was the IPv4 header: overwrite its
	 * first 12 bytes with what this program sees. */
	__builtin_memcpy(data, &len, 4);
	__builtin_memcpy(data + 4, &meta_len, 4);
	__builtin_memcpy(data + 8, meta, 4);
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
