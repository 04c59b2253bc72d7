/* An RCU read section left open at exit: both verifiers refuse it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern void bpf_rcu_read_lock(void) __ksym;

SEC("xdp") int rcu_left_open(struct xdp_md *ctx)
{
	bpf_rcu_read_lock();
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
