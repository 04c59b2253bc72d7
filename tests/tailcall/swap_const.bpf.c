/* swap.bpf.c's chains with constant keys, which the JIT compiles to direct
 * jumps re-pointed at each slot change (engine/jit_poke.c): the same
 * contract for test_tail_call_concurrency (entry `relay`, map `swap_jmp`,
 * slot 0 swapped between swap_a/b/c or empty, the same return values), but
 * each relay tail-calls the next slot by a constant: relay -> slot 1
 * (relay_1) -> ... -> slot 8 (relay_8) -> slot 0. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define FELL_THROUGH 99

#define RELAY_LIST(X) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8)
#define DECLARE_RELAY(n) int relay_##n(struct __sk_buff *skb);
RELAY_LIST(DECLARE_RELAY)

#define RELAY_SLOT(n) [n] = (void *)&relay_##n,

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 9);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct __sk_buff *));
} swap_jmp SEC(".maps") = {
	.values = { RELAY_LIST(RELAY_SLOT) },
};

/* One hop: count it in cb[0], tail-call `next`; on a fall-through, say so. */
#define HOP(skb, next)                                                              \
	do {                                                                        \
		skb->cb[0] += 1;                                                    \
		bpf_tail_call(skb, &swap_jmp, next);                                \
		return 100000 * bpf_get_smp_processor_id() + 1000 * skb->cb[0] +   \
		       FELL_THROUGH;                                                \
	} while (0)

SEC("tc")
int relay(struct __sk_buff *skb)
{
	HOP(skb, 1);
}

#define DEFINE_RELAY(n)                                         \
	SEC("tc") int relay_##n(struct __sk_buff *skb)          \
	{                                                       \
		HOP(skb, (n + 1) % 9);                          \
	}
RELAY_LIST(DEFINE_RELAY)

#define SWAP_TARGET(name, mark)                                   \
	SEC("tc") int name(struct __sk_buff *skb)                 \
	{                                                         \
		return 100000 * bpf_get_smp_processor_id() +      \
		       1000 * skb->cb[0] + mark;                  \
	}

SWAP_TARGET(swap_a, 11)
SWAP_TARGET(swap_b, 22)
SWAP_TARGET(swap_c, 33)

char _license[] SEC("license") = "GPL";
