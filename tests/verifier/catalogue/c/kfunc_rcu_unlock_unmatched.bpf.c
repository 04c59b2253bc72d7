// expect: reject
// reason: unmatched rcu read unlock (kernel function bpf_rcu_read_unlock)
// part: helpers
//
// bpf_rcu_read_unlock on a path that took no bpf_rcu_read_lock.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

SEC("socket")
int kfunc_rcu_unlock_unmatched(struct __sk_buff *skb)
{
	if (skb->len > 10)
		bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
