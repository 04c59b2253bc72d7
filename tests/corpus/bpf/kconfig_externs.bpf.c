// SPDX-License-Identifier: GPL-2.0
/* Kconfig externs as libbpf-tools and libbpf-bootstrap use them: the
 * virtual LINUX_* ones, CONFIG_* values of each type (bool, int, tristate,
 * a string), and __weak ones the configuration does not set. An XDP
 * program (test-runnable in both) copies every value into .bss, so that a
 * run shows what the program saw. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern u32 LINUX_KERNEL_VERSION __kconfig;
extern bool LINUX_HAS_SYSCALL_WRAPPER __kconfig;
extern bool LINUX_HAS_BPF_COOKIE __kconfig;
extern u64 LINUX_BPFVM_NOT_A_VIRTUAL_EXTERN __kconfig __weak;
extern bool CONFIG_BPF_SYSCALL __kconfig;
extern int CONFIG_HZ __kconfig __weak;
extern enum libbpf_tristate CONFIG_BPF_JIT __kconfig __weak;
extern char CONFIG_LOCALVERSION[24] __kconfig __weak;
extern char CONFIG_BPFVM_TEST_CHAR __kconfig __weak;
extern s16 CONFIG_BPFVM_TEST_SHORT __kconfig __weak;
extern u64 CONFIG_BPFVM_TEST_NEVER_SET __kconfig __weak;

u64 seen[10];
char seen_localversion[24];

SEC("xdp")
int read_kconfig(struct xdp_md *ctx)
{
	seen[0] = LINUX_KERNEL_VERSION;
	seen[1] = LINUX_HAS_SYSCALL_WRAPPER;
	seen[2] = LINUX_HAS_BPF_COOKIE;
	seen[3] = LINUX_BPFVM_NOT_A_VIRTUAL_EXTERN;
	seen[4] = CONFIG_BPF_SYSCALL;
	seen[5] = CONFIG_HZ;
	seen[6] = CONFIG_BPF_JIT;
	seen[7] = CONFIG_BPFVM_TEST_CHAR;
	seen[8] = (u64)(s64)CONFIG_BPFVM_TEST_SHORT;
	seen[9] = CONFIG_BPFVM_TEST_NEVER_SET;
	__builtin_memcpy(seen_localversion, CONFIG_LOCALVERSION, sizeof(seen_localversion));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

/* As libbpf's usdt.bpf.h: the attach cookie when the kernel has cookies,
 * else an address lookup; the verifier sees which branch is dead. */
SEC("kprobe/do_nanosleep")
int cookie_if_any(struct pt_regs *ctx)
{
	if (LINUX_HAS_BPF_COOKIE)
		seen[0] = bpf_get_attach_cookie(ctx);
	return 0;
}
