/* Shared by the helper-call test programs (tests/verifier/progs). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";
