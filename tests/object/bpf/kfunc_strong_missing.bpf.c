/* A kfunc extern that is not __weak and exists nowhere: the load fails. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int bpfvm_test_no_such_kfunc(int x) __ksym;

SEC("xdp") int strong_missing(struct xdp_md *ctx)
{
	return bpfvm_test_no_such_kfunc(1);
}

char LICENSE[] SEC("license") = "GPL";
