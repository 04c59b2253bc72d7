// SPDX-License-Identifier: BSD-2-Clause
/* A program that is not GPL-compatible may not read kernel objects through
 * BTF (check_ptr_to_btf_access); the context's integers it may read. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

u64 seen = 0;

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_preempt, bool preempt)
{
	seen += preempt;
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(unsafe_nongpl_reads_task, bool preempt, struct task_struct *prev)
{
	seen += prev->pid;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/MIT";
