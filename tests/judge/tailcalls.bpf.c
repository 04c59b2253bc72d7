/* Tail calls in the manner of the kernel selftests (progs/tailcall1.c,
 * tailcall3.c, tailcall_bpf2bpf*.c), as tc classifiers whose return values
 * show what happened:
 *   tailcall_index        jumps to slot skb->len % 5: slots 0-2 answer their
 *                         index, 3 is empty (fall through), 4 is out of range
 *   tailcall_limit        a program that tail-calls itself counts its runs in
 *                         .bss: 34 per invocation (entry + 33 tail calls)
 *   tailcall_subprog      the tail call is made in a subprogram: each callee's
 *                         exit returns into the frame that called it
 *   tailcall_bad_index    -1, max_entries and a huge index fall through */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int classifier_0(struct __sk_buff *skb);
int classifier_1(struct __sk_buff *skb);
int classifier_2(struct __sk_buff *skb);
int tailcall_limit(struct __sk_buff *skb);
int tailcall_subprog(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct __sk_buff *));
} jmp_table SEC(".maps") = {
	.values = {
		[0] = (void *)&classifier_0,
		[1] = (void *)&classifier_1,
		[2] = (void *)&classifier_2,
	},
};

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct __sk_buff *));
} self_table SEC(".maps") = {
	.values = { [0] = (void *)&tailcall_limit },
};

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct __sk_buff *));
} subprog_table SEC(".maps") = {
	.values = { [0] = (void *)&tailcall_subprog },
};

int count;
int subprog_count;

#define CLASSIFIER(n)                                                         \
	SEC("tc") int classifier_##n(struct __sk_buff *skb)                   \
	{                                                                     \
		return n + 10 * skb->cb[0];                                   \
	}

CLASSIFIER(0)
CLASSIFIER(1)
CLASSIFIER(2)

SEC("tc")
int tailcall_index(struct __sk_buff *skb)
{
	/* Writes to the context before the call are seen by the callee. */
	skb->cb[0] = 7;
	bpf_tail_call(skb, &jmp_table, skb->len % 5);
	return 100 + skb->len % 5;
}

SEC("tc")
int tailcall_limit(struct __sk_buff *skb)
{
	count++;
	bpf_tail_call(skb, &self_table, 0);
	return count;
}

static __noinline int subprog_tail(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &subprog_table, 0);
	return skb->len * 2;
}

SEC("tc")
int tailcall_subprog(struct __sk_buff *skb)
{
	int ret;

	subprog_count++;
	ret = subprog_tail(skb);
	return ret + 1;
}

SEC("tc")
int tailcall_bad_index(struct __sk_buff *skb)
{
	volatile __u32 idx = -1;
	int fell = 0;

	bpf_tail_call(skb, &jmp_table, idx);
	fell |= 1;
	idx = 4;
	bpf_tail_call(skb, &jmp_table, idx);
	fell |= 2;
	idx = 3; /* empty */
	bpf_tail_call(skb, &jmp_table, idx);
	fell |= 4;
	idx = 0x7fffffff;
	bpf_tail_call(skb, &jmp_table, idx);
	fell |= 8;
	return fell;
}

char _license[] SEC("license") = "GPL";
