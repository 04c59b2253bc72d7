// SPDX-License-Identifier: GPL-2.0
/* bpf_get_task_stack as the tools call it: a task from a BTF-typed
 * tracepoint's arguments (trusted, never NULL), into a buffer on the
 * stack. Its first argument may not be NULL: the unsafe variant passes 0. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define DEPTH 16

long stack_bytes;

SEC("tp_btf/sched_switch")
int BPF_PROG(task_stack_of_prev, bool preempt, struct task_struct *prev,
	     struct task_struct *next)
{
	u64 ips[DEPTH];

	stack_bytes = bpf_get_task_stack(prev, ips, sizeof(ips), 0);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(unsafe_task_stack_null, bool preempt, struct task_struct *prev,
	     struct task_struct *next)
{
	u64 ips[DEPTH];

	stack_bytes = bpf_get_task_stack((struct task_struct *)0, ips, sizeof(ips), 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
