// SPDX-License-Identifier: GPL-2.0
/* Per-task state in task local storage, as selftests and newer tools keep
 * it: the current task from bpf_get_current_task_btf(), the storage created
 * on first use, written only after its NULL check. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

struct task_stat {
	u64 switches;
	u64 last_ts;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_stat);
} task_stats SEC(".maps");

u64 created = 0;

SEC("tp_btf/sched_switch")
int BPF_PROG(count_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct task_stat *st;

	st = bpf_task_storage_get(&task_stats, prev, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st)
		return 0;
	if (!st->switches)
		__sync_fetch_and_add(&created, 1);
	st->switches++;
	st->last_ts = bpf_ktime_get_ns();
	return 0;
}

SEC("fentry/do_unlinkat")
int BPF_PROG(unlink_by_current, int dfd, struct filename *name)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_stat *st;

	st = bpf_task_storage_get(&task_stats, task, 0, 0);
	if (st && task->pid > 1)
		st->last_ts = 0;
	return 0;
}

/* The current task's fields through the trusted pointer: directly, and
 * with CO-RE (probe reads at an offset from it). */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(fork_by_current, struct task_struct *parent, struct task_struct *child)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_stat *st;
	char comm[16];

	BPF_CORE_READ_STR_INTO(&comm, task, comm);
	st = bpf_task_storage_get(&task_stats, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (st && task->tgid == BPF_CORE_READ(task, real_parent, tgid) + comm[0])
		st->switches = 0;
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(drop_on_exit, struct task_struct *p)
{
	bpf_task_storage_delete(&task_stats, p);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
