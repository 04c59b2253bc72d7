// expect: reject
// reason: cannot call kernel function from non-GPL compatible program
// part: helpers
//
// kfuncs are for GPL-compatible programs only.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

SEC("socket")
int kfunc_non_gpl(struct __sk_buff *skb)
{
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	return 0;
}

char LICENSE[] SEC("license") = "Proprietary";
