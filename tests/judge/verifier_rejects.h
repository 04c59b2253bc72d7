/* Programs that the kernel's verifier refuses; the judge corpus records what
 * bpfvm does with them (the full verifier is issue 5). One program per
 * object (reject_*.bpf.c define which), so that each is judged alone. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

#ifdef REJECT_UNCHECKED_READ
/* Packet read without a data_end check. */
SEC("xdp")
int xdp_unchecked_read(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;

	return data[20] == 0x45 ? XDP_DROP : XDP_PASS;
}

#endif

#ifdef REJECT_NO_NULL_CHECK
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} arr SEC(".maps");

/* Map value used without a NULL check. */
SEC("tc")
int tc_no_null_check(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&arr, &k);

	return *v;
}

#endif

#ifdef REJECT_READ_PAST_CHECK
/* Reading past a checked range. */
SEC("xdp")
int xdp_read_past_check(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *data = (void *)(long)ctx->data;

	if ((void *)(data + 14) > data_end)
		return XDP_PASS;
	return data[14];
}

#endif

char _license[] SEC("license") = "GPL";
