/* A Kconfig extern: needs the running kernel's configuration. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig;

SEC("xdp") int uses_kconfig(void *ctx) { return LINUX_KERNEL_VERSION > 0; }

char LICENSE[] SEC("license") = "GPL";
