/* Chains that run while another thread replaces and deletes the program at
 * their end (SEMANTICS.md: PROG_ARRAY maps, slots replaced atomically).
 *
 *   relay        the entry, and slots 1..RELAYS of swap_jmp: each hop adds one
 *                to cb[0] and tail-calls the next slot; the last relay
 *                tail-calls slot 0, which the test swaps. Falling through
 *                there returns 1000 * cb[0] + FELL_THROUGH.
 *   swap_a/b/c   what slot 0 may hold: each returns 1000 * cb[0] + its mark.
 * Both add 100000 * the CPU they run on. A run that went the whole way on
 * vCPU c returns 100000 * c + 1000 * (RELAYS + 1) + mark. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define RELAYS 8
#define FELL_THROUGH 99

int relay(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, RELAYS + 1);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct __sk_buff *));
} swap_jmp SEC(".maps") = {
	.values = {
		[1] = (void *)&relay, [2] = (void *)&relay, [3] = (void *)&relay,
		[4] = (void *)&relay, [5] = (void *)&relay, [6] = (void *)&relay,
		[7] = (void *)&relay, [8] = (void *)&relay,
	},
};

SEC("tc")
int relay(struct __sk_buff *skb)
{
	__u32 hop = skb->cb[0] + 1;

	skb->cb[0] = hop;
	bpf_tail_call(skb, &swap_jmp, hop > RELAYS ? 0 : hop);
	return 100000 * bpf_get_smp_processor_id() + 1000 * skb->cb[0] + FELL_THROUGH;
}

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
