/* The value a program sees for a kfunc's address (bpf_ksym_exists and the
 * like): a non-zero constant, never the host address of the function. The
 * two halves are returned by two programs (a test run returns 32 bits). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern __u64 bpfvm_test_add3(__u64 a, __u64 b, __u64 c) __ksym __weak;

SEC("tc") int address_low(struct __sk_buff *skb)
{
	return (int)(__u32)(unsigned long)&bpfvm_test_add3;
}

SEC("tc") int address_high(struct __sk_buff *skb)
{
	return (int)(__u32)((unsigned long)&bpfvm_test_add3 >> 32);
}

char LICENSE[] SEC("license") = "GPL";
