// expect: accept
// part: scalars
//
// An index read from the packet, masked, used as a packet offset and
// checked with the access size.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_masked_index(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *data_end = (void *)(long)ctx->data_end;
	unsigned char *p;

	if (data + 1 > data_end)
		return XDP_PASS;
	p = data + (data[0] & 0x3f);
	if (p + 1 > data_end)
		return XDP_PASS;
	return *p ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
