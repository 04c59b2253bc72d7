// SPDX-License-Identifier: GPL-2.0
/* Unsafe variants of the corpus's programs, one mistake each, as users make
 * them: the kernel refuses every one, and so must bpfvm (test_corpus judges
 * every program named unsafe_*). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

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

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, u64);
} sk_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(key_size, sizeof(u32));
	__uint(value_size, 127 * sizeof(u64));
	__uint(max_entries, 64);
} stackmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, u32);
	__type(value, u64);
} counts SEC(".maps");

struct locked {
	struct bpf_spin_lock lock;
	u64 value;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, u32);
	__type(value, struct locked);
} locked_values SEC(".maps");

volatile u32 index_past = sizeof(struct task_stat);

/* The storage may be NULL (no memory, or no F_CREATE): written unchecked. */
SEC("tp_btf/sched_switch")
int BPF_PROG(unsafe_task_storage_unchecked, bool preempt, struct task_struct *prev)
{
	struct task_stat *st = bpf_task_storage_get(&task_stats, prev, 0,
						    BPF_LOCAL_STORAGE_GET_F_CREATE);

	st->switches++;
	return 0;
}

/* A read past the storage's value, at an index the verifier cannot bound. */
SEC("tp_btf/sched_switch")
int BPF_PROG(unsafe_task_storage_past_value, bool preempt, struct task_struct *prev)
{
	struct task_stat *st = bpf_task_storage_get(&task_stats, prev, 0, 0);

	if (!st)
		return 0;
	return ((u8 *)st)[index_past];
}

/* A kprobe's bpf_get_current_task() is a number, not a trusted task. */
SEC("kprobe/do_unlinkat")
int BPF_KPROBE(unsafe_task_storage_untyped_task)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct task_stat *st = bpf_task_storage_get(&task_stats, task, 0, 0);

	return st ? 1 : 0;
}

/* The current task is the kernel's: a program may read it, never write. */
SEC("tp_btf/sched_switch")
int BPF_PROG(unsafe_write_current_task)
{
	struct task_struct *task = bpf_get_current_task_btf();

	task->prio = 0;
	return 0;
}

/* A ring buffer record reserved and never submitted nor discarded. */
SEC("tp/sched/sched_process_exec")
int unsafe_ringbuf_not_submitted(void *ctx)
{
	u64 *rec = bpf_ringbuf_reserve(&rb, sizeof(*rec), 0);

	if (!rec)
		return 0;
	*rec = bpf_ktime_get_ns();
	if (*rec & 1)
		bpf_ringbuf_submit(rec, 0);
	return 0;
}

/* The record written before its NULL check. */
SEC("tp/sched/sched_process_exec")
int unsafe_ringbuf_unchecked(void *ctx)
{
	u64 *rec = bpf_ringbuf_reserve(&rb, sizeof(*rec), 0);

	*rec = 1;
	bpf_ringbuf_submit(rec, 0);
	return 0;
}

/* sock_ops' socket may be NULL: passed to the storage unchecked. */
SEC("sockops")
int unsafe_sk_storage_null_socket(struct bpf_sock_ops *skops)
{
	u64 *st = bpf_sk_storage_get(&sk_stats, skops->sk, 0, BPF_SK_STORAGE_GET_F_CREATE);

	if (st)
		(*st)++;
	return 1;
}

/* get_stackid records into a STACK_TRACE map, not a hash. */
SEC("perf_event")
int unsafe_stackid_into_hash(struct bpf_perf_event_data *ctx)
{
	return bpf_get_stackid(ctx, &counts, 0);
}

/* get_stackid walks the context's registers, not the stack. */
SEC("perf_event")
int unsafe_stackid_without_ctx(struct bpf_perf_event_data *ctx)
{
	struct bpf_perf_event_data copy = {};

	return bpf_get_stackid(&copy, &stackmap, 0);
}

/* A lock taken and still held at the exit. */
SEC("tc")
int unsafe_lock_held_at_exit(struct __sk_buff *skb)
{
	u32 key = skb->mark;
	struct locked *v = bpf_map_lookup_elem(&locked_values, &key);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->value++;
	if (v->value & 1)
		bpf_spin_unlock(&v->lock);
	return 0;
}

/* An LSM hook returns 0 or an errno: 1 is neither. */
SEC("lsm/file_open")
int BPF_PROG(unsafe_lsm_returns_one, struct file *file)
{
	return 1;
}

/* A yes/no hook (xfrm_state_pol_flow_match) returns 0 or 1, not an errno. */
SEC("lsm/xfrm_state_pol_flow_match")
int BPF_PROG(unsafe_lsm_bool_hook_errno, struct xfrm_state *x)
{
	return -1;
}

char LICENSE[] SEC("license") = "GPL";
