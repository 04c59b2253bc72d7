/* A section name libbpf does not know. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp_foo") int weird(void *ctx) { return 0; }

char LICENSE[] SEC("license") = "GPL";
