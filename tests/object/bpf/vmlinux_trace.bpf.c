/* Tracing programs built with the machine's vmlinux.h, using most of what
 * bpf_core_read.h offers: nested BPF_CORE_READ, a field that exists only in
 * newer kernels with a flavor type for older ones, type sizes and ids,
 * enumerator values, type existence, a probed bitfield, a field's size.
 * Their relocated instructions are compared with libbpf's; bpfvm need not
 * run them. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* The layout of kernels before 5.14. */
struct task_struct___old {
	long state;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, u32);
	__type(value, u64);
} counts SEC(".maps");

SEC("kprobe/do_nanosleep")
int BPF_KPROBE(on_nanosleep, struct hrtimer_sleeper *sleeper)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	u32 pid = BPF_CORE_READ(task, real_parent, tgid);
	u64 v = BPF_CORE_READ(task, mm, total_vm);

	if (bpf_core_field_exists(task->__state))
		v += BPF_CORE_READ(task, __state);
	else
		v += BPF_CORE_READ((struct task_struct___old *)task, state);
	v += bpf_core_type_size(struct task_struct);
	v += bpf_core_enum_value(enum bpf_map_type, BPF_MAP_TYPE_RINGBUF);
	v += bpf_core_type_exists(struct bpf_ringbuf);
	v += bpf_core_type_id_kernel(struct task_struct);
	v += BPF_CORE_READ_BITFIELD_PROBED(task, sched_reset_on_fork);
	v += bpf_core_field_size(task->comm);
	v += BPF_CORE_READ(sleeper, timer.node.expires);
	bpf_map_update_elem(&counts, &pid, &v, 0);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	u32 pid = prev->pid;
	u64 v = next->se.sum_exec_runtime;

	bpf_map_update_elem(&counts, &pid, &v, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
