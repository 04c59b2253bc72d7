/* A Kconfig extern of a type libbpf does not support (a struct): refused,
 * naming it, as libbpf refuses it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct kcfg_pair {
	int a, b;
};

extern struct kcfg_pair CONFIG_BPFVM_PAIR __kconfig;

SEC("xdp") int uses_kconfig(void *ctx) { return CONFIG_BPFVM_PAIR.a > 0; }

char LICENSE[] SEC("license") = "GPL";
