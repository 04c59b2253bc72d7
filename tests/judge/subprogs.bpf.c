/* bpf-to-bpf calls as real programs use them: static __noinline helpers
 * with five arguments, pointers into the caller's stack, a chain eight
 * frames deep whose frames all use stack, global (non-static) functions that
 * the kernel verifies on their own (their arguments are checked inside),
 * and a subprogram shared by two programs of different types. */
#include "parsing_helpers.h"
#include <linux/pkt_cls.h>

static __noinline __u64 mix5(__u64 a, __u64 b, __u64 c, __u64 d, __u64 e)
{
	return a * 1 + b * 3 + c * 5 + d * 7 + e * 11;
}

static __noinline void fill(__u8 *buf, int n, __u8 seed)
{
	int i;

	for (i = 0; i < 16; i++) {
		if (i >= n)
			break;
		buf[i] = seed + i;
	}
}

static __noinline __u32 sum_buf(const __u8 *buf)
{
	__u32 s = 0;
	int i;

	for (i = 0; i < 16; i++)
		s += buf[i];
	return s;
}

#define DEPTH_FN(n, next)                                                     \
	static __noinline __u32 depth##n(__u32 x)                             \
	{                                                                     \
		volatile __u8 pad[24];                                        \
		pad[0] = x;                                                   \
		pad[23] = n;                                                  \
		return next(x + pad[23]) + pad[0];                            \
	}

static __noinline __u32 depth7(__u32 x)
{
	volatile __u8 pad[16];

	pad[3] = x;
	return pad[3] * 2;
}
DEPTH_FN(6, depth7)
DEPTH_FN(5, depth6)
DEPTH_FN(4, depth5)
DEPTH_FN(3, depth4)
DEPTH_FN(2, depth3)
DEPTH_FN(1, depth2)

__noinline int global_len_class(struct __sk_buff *skb)
{
	if (!skb)
		return -1;
	return skb->len > 100 ? 2 : skb->len > 50 ? 1 : 0;
}

__noinline int global_add(int a, int b)
{
	return a + b;
}

__noinline int global_mem(__u32 *p)
{
	if (!p)
		return -1;
	*p += 0x100;
	return *p & 0xfff;
}

SEC("tc")
int calls_tc(struct __sk_buff *skb)
{
	__u8 buf[16] = {};
	__u32 x = skb->len, s;
	__u64 m;

	fill(buf, 16, (__u8)x);
	s = sum_buf(buf);
	m = mix5(x, s, 3, 4, 5);
	return (int)(m + depth1(1) * 1000 + global_len_class(skb) * 100000 +
		     global_add(3, 4) * 1000000 + global_mem(&x) * 10000000);
}

static __noinline int parse_proto(void *data, void *data_end)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return -1;
	return bpf_ntohs(eth->h_proto);
}

SEC("xdp")
int calls_xdp(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	int proto = parse_proto(data, data_end);

	if (proto == ETH_P_IP)
		return global_add(XDP_PASS, 0);
	if (proto == ETH_P_IPV6)
		return XDP_DROP;
	return XDP_ABORTED;
}

char _license[] SEC("license") = "GPL";
