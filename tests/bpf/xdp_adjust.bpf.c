/* Several XDP programs in one section, each reshaping the packet: push and
 * pop headers (bpf_xdp_adjust_head), trim and grow the tail
 * (bpf_xdp_adjust_tail), and metadata in front of the packet
 * (bpf_xdp_adjust_meta). A test run's data_out shows the result. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __s64);
} adjust_results SEC(".maps");

static __always_inline void remember(__u32 slot, __s64 value)
{
	bpf_map_update_elem(&adjust_results, &slot, &value, BPF_ANY);
}

/* Prepends an 8-byte tag before the Ethernet header, which is moved to the
 * new front: [eth][tag][rest]. */
SEC("xdp")
int xdp_push_tag(struct xdp_md *ctx)
{
	long err = bpf_xdp_adjust_head(ctx, -8);
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 *tag = data + sizeof(*eth);

	remember(0, err);
	if (err)
		return XDP_ABORTED;
	if ((void *)(tag + 8) > data_end)
		return XDP_ABORTED;
	__builtin_memmove(eth, data + 8, sizeof(*eth));
	for (int i = 0; i < 8; i++)
		tag[i] = 0xa0 + i;
	return XDP_TX;
}

/* Strips the Ethernet header, and says so on the trace pipe. */
SEC("xdp")
int xdp_pop_ethernet(struct xdp_md *ctx)
{
	long err = bpf_xdp_adjust_head(ctx, sizeof(struct ethhdr));

	remember(1, err);
	bpf_printk("popped ethernet: %ld", err);
	return err ? XDP_ABORTED : XDP_PASS;
}

/* Trims to 42 bytes, then grows by 6 and writes a trailer there. */
SEC("xdp")
int xdp_trim_then_grow(struct xdp_md *ctx)
{
	int len = ctx->data_end - ctx->data;
	long err = 0;
	__u8 *trailer;

	if (len > 42)
		err = bpf_xdp_adjust_tail(ctx, 42 - len);
	remember(2, err);
	if (err)
		return XDP_ABORTED;
	err = bpf_xdp_adjust_tail(ctx, 6);
	remember(3, err);
	if (err)
		return XDP_ABORTED;
	/* Packets shorter than 42 bytes were not trimmed: dropped. */
	trailer = (void *)(long)ctx->data + 42;
	if ((void *)(trailer + 6) > (void *)(long)ctx->data_end)
		return XDP_DROP;
	for (int i = 0; i < 6; i++)
		trailer[i] = 0xee;
	return XDP_PASS;
}

/* Reserves 8 bytes of metadata, writes a mark there and reads it back. */
SEC("xdp")
int xdp_meta_mark(struct xdp_md *ctx)
{
	long err = bpf_xdp_adjust_meta(ctx, -8);
	void *data = (void *)(long)ctx->data;
	__u64 *meta = (void *)(long)ctx->data_meta;

	remember(0, err);
	if (err)
		return XDP_ABORTED;
	if ((void *)(meta + 1) > data)
		return XDP_ABORTED;
	*meta = 0x1122334455667788ull;
	remember(1, (void *)(long)ctx->data - (void *)(long)ctx->data_meta);
	return (*meta & 0xff) == 0x88 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
