/* Chains that count their hops (SEMANTICS.md: tail calls, at most 33
 * successful tail calls per invocation; failed attempts do not count).
 *
 *   hop_0 .. hop_34   hop_N counts its visit in visits[N] and in skb->cb[0],
 *                     then tail-calls slot N + 1 of `chain`. 34 programs
 *                     run (hop_0 + 33 tail calls): hop_33's attempt is the
 *                     34th and falls through, so hop_34 never runs. A hop
 *                     that falls through returns 100 * N + cb[0].
 *   mixed             tail-calls itself through slot 0 of `self`, each time
 *                     after three attempts that fail (empty slot 1, index 2
 *                     = max_entries, index -1); runs[0] counts its runs: 34
 *                     per invocation when failures cost nothing.
 *   wrap_runtime      the index is a 64-bit value read from the packet and
 *                     passed whole in r3: the helper takes it as a u32, so
 *   wrap_4g           0x100000000 selects slot 0 and -1 is out of range.
 *                     wrap_4g passes the constant 0x100000000. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define HOPS 35

#define DECLARE_HOP(n) int hop_##n(struct __sk_buff *skb);
#define HOP_LIST(X)                                                                  \
	X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) \
	X(15) X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23) X(24) X(25) X(26) X(27)   \
	X(28) X(29) X(30) X(31) X(32) X(33) X(34)

HOP_LIST(DECLARE_HOP)

#define HOP_SLOT(n) [n] = (void *)&hop_##n,

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, HOPS);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct __sk_buff *));
} chain SEC(".maps") = {
	.values = { HOP_LIST(HOP_SLOT) },
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HOPS);
	__type(key, __u32);
	__type(value, __u64);
} visits SEC(".maps");

static __always_inline void count_visit(__u32 hop)
{
	__u64 *visit = bpf_map_lookup_elem(&visits, &hop);

	if (visit)
		*visit += 1;
}

#define DEFINE_HOP(n)                                                \
	SEC("tc") int hop_##n(struct __sk_buff *skb)                 \
	{                                                            \
		count_visit(n);                                      \
		skb->cb[0] += 1;                                     \
		bpf_tail_call(skb, &chain, n + 1);                   \
		return 100 * n + skb->cb[0];                         \
	}

HOP_LIST(DEFINE_HOP)

int mixed(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct __sk_buff *));
} self SEC(".maps") = {
	.values = { [0] = (void *)&mixed },
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} runs SEC(".maps");

SEC("tc")
int mixed(struct __sk_buff *skb)
{
	__u32 zero = 0;
	__u64 *count = bpf_map_lookup_elem(&runs, &zero);

	if (count)
		*count += 1;
	skb->cb[1] += 1;
	bpf_tail_call(skb, &self, 1);	/* empty */
	bpf_tail_call(skb, &self, 2);	/* index == max_entries */
	bpf_tail_call(skb, &self, -1);	/* index 0xffffffff */
	bpf_tail_call(skb, &self, 0);	/* itself */
	return skb->cb[1];
}

int wrap_slot0(struct __sk_buff *skb);
int wrap_slot1(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct __sk_buff *));
} wrap SEC(".maps") = {
	.values = { [0] = (void *)&wrap_slot0, [1] = (void *)&wrap_slot1 },
};

/* bpf_tail_call with a 64-bit index: the same helper (12), declared so that
 * clang passes the whole register instead of truncating it to a u32. */
static long (*tail_call_u64)(void *ctx, void *map, __u64 index) = (void *)BPF_FUNC_tail_call;

SEC("tc")
int wrap_slot0(struct __sk_buff *skb)
{
	return 0xa0;
}

SEC("tc")
int wrap_slot1(struct __sk_buff *skb)
{
	return 0xa1;
}

/* The index is the 8 bytes at offset 42 of the packet (little endian). */
#define WRAP_INDEX_OFFSET 42

SEC("tc")
int wrap_runtime(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u64 index;

	if (data + WRAP_INDEX_OFFSET + sizeof(index) > data_end)
		return 0xee;
	__builtin_memcpy(&index, data + WRAP_INDEX_OFFSET, sizeof(index));
	tail_call_u64(skb, &wrap, index);
	return 0xff;
}

SEC("tc")
int wrap_4g(struct __sk_buff *skb)
{
	tail_call_u64(skb, &wrap, 0x100000000ull);
	return 0xff;
}

char _license[] SEC("license") = "GPL";
