/* Tail-call chains of eight XDP programs, with a little work in each hop
 * (a per-CPU scratch slot carries the state from hop to hop):
 *   tail_const  each hop tail-calls slot N + 1 by a constant index: the
 *               kernel's JIT patches the call site to a direct jump;
 *   tail_var    the index is `step` + N with `step` (1) read from .data,
 *               which neither clang nor the verifier can fold: an indirect
 *               tail call through the prog array.
 * The harness runs const_hop_0 and var_hop_0. The last hop returns the
 * state; a failed tail call returns 0xfa11. */
#include "bench_common.h"

#define HOP_LIST(X) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define LAST_HOP 7

#define DECLARE_HOPS(n) int const_hop_##n(struct xdp_md *ctx); \
			int var_hop_##n(struct xdp_md *ctx);
HOP_LIST(DECLARE_HOPS)

#define CONST_SLOT(n) [n] = (void *)&const_hop_##n,
#define VAR_SLOT(n) [n] = (void *)&var_hop_##n,

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, LAST_HOP + 1);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct xdp_md *));
} const_chain SEC(".maps") = {
	.values = { HOP_LIST(CONST_SLOT) },
};

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, LAST_HOP + 1);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct xdp_md *));
} var_chain SEC(".maps") = {
	.values = { HOP_LIST(VAR_SLOT) },
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} scratch SEC(".maps");

__u32 step = 1;

/* state = state * 31 + the packet's byte n + n; the whole state at the end. */
static __always_inline int hop_work(struct xdp_md *ctx, __u32 n, __u64 *state_out)
{
	__u8 *byte = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 zero = 0;
	__u64 *state = bpf_map_lookup_elem(&scratch, &zero);

	if (!state || (void *)(byte + 16) > end)
		return -1;
	if (n == 0)
		*state = 0;
	*state = *state * 31 + byte[n] + n;
	*state_out = *state;
	return 0;
}

#define DEFINE_HOP(key, n, index)                                      \
	SEC("xdp") int key##_hop_##n(struct xdp_md *ctx)               \
	{                                                              \
		__u64 state;                                           \
                                                                       \
		if (hop_work(ctx, n, &state))                          \
			return 0xbad;                                  \
		if (n == LAST_HOP)                                     \
			return (__u32)(state ^ state >> 32);           \
		bpf_tail_call(ctx, &key##_chain, index);               \
		return 0xfa11;                                         \
	}

#define DEFINE_HOPS(n) DEFINE_HOP(const, n, n + 1) DEFINE_HOP(var, n, step + n)
DEFINE_HOPS(0)
HOP_LIST(DEFINE_HOPS)

char _license[] SEC("license") = "GPL";
