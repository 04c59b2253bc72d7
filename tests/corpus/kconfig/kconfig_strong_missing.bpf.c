// SPDX-License-Identifier: GPL-2.0
/* A strong Kconfig extern that no configuration sets: libbpf refuses the
 * object ("extern '...' (strong): not resolved", -ESRCH), and so must bpfvm.
 * Not in the corpus: the kernel never sees it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int CONFIG_BPFVM_TEST_STRONG_MISSING __kconfig;

SEC("xdp")
int read_kconfig(struct xdp_md *ctx)
{
	return CONFIG_BPFVM_TEST_STRONG_MISSING ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
