/* kfuncs called through `extern ... __ksym`, as programs written for the
 * kernel call them: resolved by name when the object is loaded (by libbpf
 * against the kernel's BTF, by bpfvm against its runtime functions). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#ifndef bpf_ksym_exists /* libbpf before 1.2 */
#define bpf_ksym_exists(sym) (!!(sym))
#endif

extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
/* In neither the kernel nor bpfvm: resolves to 0. */
extern int bpfvm_test_no_such_kfunc(int x) __ksym __weak;
/* Registered by the test in bpfvm only. */
extern __u64 bpfvm_test_add3(__u64 a, __u64 b, __u64 c) __ksym __weak;

SEC("xdp") int rcu_section(struct xdp_md *ctx)
{
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	return XDP_PASS;
}

SEC("xdp") int weak_missing(struct xdp_md *ctx)
{
	if (bpf_ksym_exists(bpfvm_test_no_such_kfunc))
		return bpfvm_test_no_such_kfunc(1);
	return XDP_DROP;
}

SEC("xdp") int weak_maybe_present(struct xdp_md *ctx)
{
	if (bpf_ksym_exists(bpfvm_test_add3))
		return (int)bpfvm_test_add3(1, 1, 1); /* XDP_TX */
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
