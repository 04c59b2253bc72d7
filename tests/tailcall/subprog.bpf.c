/* A tail call made from a subprogram (SEMANTICS.md: tail calls): the target
 * replaces the subprogram's frame, and its exit returns to the subprogram's
 * caller, whose registers and stack are intact.
 *
 *   sub_entry   keeps skb->len in a callee-saved register and on its stack,
 *               calls tail_from_sub(slot = cb[0]) and returns
 *               1000 * result + len: slot 0 holds sub_target (returns 40),
 *               slot 1 is empty (tail_from_sub falls through and returns 7 + cb[4], which is 0).
 *   sub_target  also fills its own stack, which must not reach the caller's. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int sub_target(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct __sk_buff *));
} sub_jmp SEC(".maps") = {
	.values = { [0] = (void *)&sub_target },
};

static __noinline int tail_from_sub(struct __sk_buff *skb, __u32 slot)
{
	bpf_tail_call(skb, &sub_jmp, slot);
	/* Not a constant, or clang would fold it into the caller's result. */
	return 7 + skb->cb[4];
}

SEC("tc")
int sub_entry(struct __sk_buff *skb)
{
	volatile __u32 kept[4];
	__u32 len = skb->len;
	int result;

	kept[0] = len;
	kept[3] = len + 3;
	result = tail_from_sub(skb, skb->cb[0]);
	if (kept[0] != len || kept[3] != len + 3)
		return -1;
	return 1000 * result + len;
}

SEC("tc")
int sub_target(struct __sk_buff *skb)
{
	volatile __u64 scratch[8];

	for (int i = 0; i < 8; i++)
		scratch[i] = 0xdeadbeef;
	return 40 + (scratch[7] == 0xdeadbeef ? 0 : 1);
}

char _license[] SEC("license") = "GPL";
