/* Chains for bench_tailcall: 34 tc programs, hop_<key>_0 .. hop_<key>_33,
 * where hop N tail-calls slot N + 1 and returns N when that fails. Run from
 * hop 0, a chain makes 33 tail calls and a 34th attempt (index 34, out of
 * range); run alone, hop 33 makes only that attempt. The difference of the
 * two, over 33, is the cost of one tail call with the body around it (one
 * or two instructions).
 *   const  the index is a constant: the kernel's JIT patches a direct jump;
 *   var    the index is step + N, with `step` (= 1) read from .data, which
 *          neither clang nor the verifier can fold: an indirect tail call. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define HOP_LIST(X)                                                                  \
	X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) \
	X(15) X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23) X(24) X(25) X(26) X(27)   \
	X(28) X(29) X(30) X(31) X(32) X(33)

#define DECLARE_HOPS(n) int hop_const_##n(struct __sk_buff *skb); \
			int hop_var_##n(struct __sk_buff *skb);
HOP_LIST(DECLARE_HOPS)

#define CONST_SLOT(n) [n] = (void *)&hop_const_##n,
#define VAR_SLOT(n) [n] = (void *)&hop_var_##n,

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 34);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct __sk_buff *));
} const_chain SEC(".maps") = {
	.values = { HOP_LIST(CONST_SLOT) },
};

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 34);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct __sk_buff *));
} var_chain SEC(".maps") = {
	.values = { HOP_LIST(VAR_SLOT) },
};

__u32 step = 1;

#define DEFINE_HOPS(n)                                          \
	SEC("tc") int hop_const_##n(struct __sk_buff *skb)      \
	{                                                       \
		bpf_tail_call(skb, &const_chain, n + 1);        \
		return n;                                       \
	}                                                       \
	SEC("tc") int hop_var_##n(struct __sk_buff *skb)        \
	{                                                       \
		bpf_tail_call(skb, &var_chain, step + n);       \
		return n;                                       \
	}

HOP_LIST(DEFINE_HOPS)

char _license[] SEC("license") = "GPL";
