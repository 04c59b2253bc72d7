/* Loops as programs write them since Linux 5.3/5.17: a bounded loop the
 * verifier walks, bpf_loop with a callback and a context on the stack,
 * early stop from the callback, bpf_for_each_map_elem over an array and a
 * hash, and a packet checksum computed in a bounded loop over the payload. */
#include "parsing_helpers.h"
#include <linux/pkt_cls.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 8);
} values SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 16);
} table SEC(".maps");

struct bpf_map;

struct loop_ctx {
	__u64 sum;
	__u32 stop_at;
	__u32 seen;
};

static long sum_cb(__u32 index, void *data)
{
	struct loop_ctx *c = data;

	c->seen++;
	if (index == c->stop_at)
		return 1; /* stop */
	c->sum += (__u64)index * index;
	return 0;
}

SEC("tc")
int loop_sum(struct __sk_buff *skb)
{
	struct loop_ctx c = { .stop_at = skb->len % 40 };
	long n;

	n = bpf_loop(50, sum_cb, &c, 0);
	return (int)(c.sum * 100 + n + c.seen * 10000000);
}

SEC("tc")
int loop_bad_flags(struct __sk_buff *skb)
{
	struct loop_ctx c = {};

	return bpf_loop(5, sum_cb, &c, 1);
}

static long add_elem(struct bpf_map *map, __u32 *key, __u64 *val, void *data)
{
	__u64 *total = data;

	*total += *key * 10 + *val;
	if (*key == 5)
		return 1;
	return 0;
}

static long fill_values(__u32 index, void *data)
{
	__u32 key = index;
	__u64 v = index + *(__u32 *)data;

	bpf_map_update_elem(&values, &key, &v, BPF_ANY);
	return 0;
}

SEC("tc")
int for_each_array(struct __sk_buff *skb)
{
	__u32 len = skb->len;
	__u64 total = 0;
	long n;

	bpf_loop(8, fill_values, &len, 0);
	n = bpf_for_each_map_elem(&values, add_elem, &total, 0);
	return (int)(total * 16 + n);
}

static long count_hash(struct bpf_map *map, __u32 *key, __u64 *val, void *data)
{
	__u64 *total = data;

	*total += *val;
	*val += 1; /* values are writable from the callback */
	return 0;
}

static long fill_table(__u32 index, void *data)
{
	__u32 key = 100 + index;
	__u64 val = key;

	bpf_map_update_elem(&table, &key, &val, BPF_NOEXIST);
	return 0;
}

SEC("tc")
int for_each_hash(struct __sk_buff *skb)
{
	__u64 total = 0, *v;
	__u32 key;
	long n;

	bpf_loop(10, fill_table, NULL, 0);
	n = bpf_for_each_map_elem(&table, count_hash, &total, 0);
	key = 104;
	v = bpf_map_lookup_elem(&table, &key);
	return (int)(total * 100 + n * 10 + (v ? *v - 104 : 99));
}

/* The UDP payload's 16-bit one's complement sum, in a bounded loop that the
 * verifier must walk with the packet range growing. */
SEC("xdp")
int xdp_payload_sum(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor nh = { .pos = data };
	struct ethhdr *eth;
	struct iphdr *iph;
	struct udphdr *udph;
	__u32 sum = 0;
	__u8 *p;
	int i;

	if (parse_ethhdr(&nh, data_end, &eth) != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (parse_iphdr(&nh, data_end, &iph) != IPPROTO_UDP)
		return XDP_PASS;
	if (parse_udphdr(&nh, data_end, &udph) < 0)
		return XDP_PASS;
	p = nh.pos;
	for (i = 0; i < 64; i++) {
		if ((void *)(p + 1) > data_end)
			break;
		sum += (i & 1) ? *p : (__u32)*p << 8;
		p++;
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	eth->h_dest[0] = sum >> 8;
	eth->h_dest[1] = sum & 0xff;
	eth->h_dest[2] = i;
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
