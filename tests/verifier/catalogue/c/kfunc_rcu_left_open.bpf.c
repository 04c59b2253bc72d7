// expect: reject
// reason: BPF_EXIT instruction in main prog cannot be used inside bpf_rcu_read_lock-ed region
// part: helpers
//
// A path that leaves an RCU read section open at the program's exit.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

SEC("socket")
int kfunc_rcu_left_open(struct __sk_buff *skb)
{
	bpf_rcu_read_lock();
	if (skb->len > 10)
		bpf_rcu_read_unlock();
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
