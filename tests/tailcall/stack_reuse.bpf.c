/* A tail call reuses the caller's stack frame without clearing it
 * (SEMANTICS.md: tail calls). The callee's verifier state knows nothing of
 * the caller's writes, so reading those slots is reading "uninitialised"
 * stack: the kernel allows it to privileged loaders (CAP_PERFMON), and then
 * the callee reads what the caller left there.
 *
 *   reuse_entry      writes two known values at r10 - 8 and r10 - 16 and
 *                    tail-calls reuse_reader;
 *   reuse_sub_entry  does the same from a subprogram, whose frame the
 *                    callee then takes over (returns reader's result + 16);
 *   reuse_reader     copies both slots to cb[0..3] (for ctx_out) and
 *                    returns 1.
 * Stack slots are written and read with inline assembly, at fixed offsets
 * that clang cannot move. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int reuse_reader(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct __sk_buff *));
} reuse_jmp SEC(".maps") = {
	.values = { [0] = (void *)&reuse_reader },
};

static __always_inline void write_slots(__u64 high, __u64 low)
{
	asm volatile("*(u64 *)(r10 - 8) = %0; *(u64 *)(r10 - 16) = %1" :: "r"(high), "r"(low));
}

SEC("tc")
int reuse_entry(struct __sk_buff *skb)
{
	write_slots(0x1122334455667788ull, 0x99aabbccddeeff00ull);
	bpf_tail_call(skb, &reuse_jmp, 0);
	return -1;
}

static __noinline int write_and_tail_call(struct __sk_buff *skb)
{
	write_slots(0x0123456789abcdefull, 0xfedcba9876543210ull);
	bpf_tail_call(skb, &reuse_jmp, 0);
	return -1 + skb->cb[4];
}

SEC("tc")
int reuse_sub_entry(struct __sk_buff *skb)
{
	return write_and_tail_call(skb) + 16;
}

SEC("tc")
int reuse_reader(struct __sk_buff *skb)
{
	__u64 high, low;

	asm volatile("%0 = *(u64 *)(r10 - 8); %1 = *(u64 *)(r10 - 16)" : "=r"(high), "=r"(low));
	skb->cb[0] = high;
	skb->cb[1] = high >> 32;
	skb->cb[2] = low;
	skb->cb[3] = low >> 32;
	return 1;
}

char _license[] SEC("license") = "GPL";
