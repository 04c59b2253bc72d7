/* Writes of __sk_buff.queue_mapping, which the kernel's
 * bpf_convert_ctx_access guards: a value of 0xffff (NO_QUEUE_MAPPING) or
 * more is not stored. From a register it becomes
 * `if rX >= 0xffff goto +1; *(u16 *)(skb + queue_mapping) = rX`, so the
 * programs also jump across, loop over and call into such stores; from an
 * immediate (BPF_ST, which clang 14 cannot emit: written as raw bytes) a
 * value the kernel compares as signed. Each program returns what
 * queue_mapping holds afterwards (0 before any write in a test run). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __always_inline __u32 queue_mapping(struct __sk_buff *skb)
{
	return *(volatile __u32 *)&skb->queue_mapping;
}

SEC("tc")
int qm_from_cb0(struct __sk_buff *skb)
{
	skb->queue_mapping = skb->cb[0];
	return queue_mapping(skb);
}

/* Two guarded stores on the two arms of a branch, a jump over both (the
 * empty asm keeps clang from merging the arms into one store). */
SEC("tc")
int qm_branches(struct __sk_buff *skb)
{
	if (skb->mark & 1) {
		skb->queue_mapping = skb->cb[0];
		asm volatile("" ::: "memory");
	} else {
		skb->queue_mapping = skb->cb[1];
	}
	return queue_mapping(skb) + (skb->mark << 20);
}

/* A guarded store inside a loop: a backward jump across it. */
SEC("tc")
int qm_loop(struct __sk_buff *skb)
{
	__u32 base = skb->cb[0], sum = 0;

#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < 4; i++) {
		skb->queue_mapping = base + i * skb->cb[1];
		sum = sum * 31 + queue_mapping(skb);
	}
	return sum;
}

static __noinline int set_queue_mapping(struct __sk_buff *skb, __u32 value)
{
	skb->queue_mapping = value;
	return queue_mapping(skb);
}

/* The store in a subprogram, called before and after others. */
SEC("tc")
int qm_subprog(struct __sk_buff *skb)
{
	int first = set_queue_mapping(skb, skb->cb[0]);
	int second = set_queue_mapping(skb, skb->cb[1]);

	return first * 0x10000 + second;
}

/* BPF_ST: *(u32 *)(r1 + 12) = imm, as raw instruction bytes (code 0x62,
 * dst r1, off 12); the context must be in r1. */
#define QM_STORE_IMM(skb, imm_hex)                                              \
	do {                                                                    \
		register struct __sk_buff *ctx asm("r1") = (skb);               \
		asm volatile(".quad 0x" imm_hex "000c0162" ::"r"(ctx) : "memory"); \
	} while (0)

SEC("tc")
int qm_imm_fffe(struct __sk_buff *skb)
{
	QM_STORE_IMM(skb, "0000fffe");
	return queue_mapping(skb);
}

SEC("tc")
int qm_imm_ffff(struct __sk_buff *skb)
{
	QM_STORE_IMM(skb, "0000ffff");
	return queue_mapping(skb);
}

SEC("tc")
int qm_imm_70000(struct __sk_buff *skb)
{
	QM_STORE_IMM(skb, "00011170");
	return queue_mapping(skb);
}

/* -1 compares below 0xffff as a signed immediate: stored, as 0xffff. */
SEC("tc")
int qm_imm_minus_1(struct __sk_buff *skb)
{
	QM_STORE_IMM(skb, "ffffffff");
	return queue_mapping(skb);
}

char LICENSE[] SEC("license") = "GPL";
