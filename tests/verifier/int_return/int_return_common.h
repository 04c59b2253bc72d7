/* Subprograms that use LD_ABS or a tail call, with and without an int
 * return in their BTF (test_selftest_findings.c). */
#ifndef BPFVM_TESTS_INT_RETURN_COMMON_H
#define BPFVM_TESTS_INT_RETURN_COMMON_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char _license[] SEC("license") = "GPL";

/* A function of its own, not inlined into its caller. */
#define SUBPROG __attribute__((noinline))

/* A packet byte through LD_ABS (the LLVM intrinsic, as the kernel's samples
 * declare it). */
unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");

#endif
