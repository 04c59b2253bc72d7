// SPDX-License-Identifier: GPL-2.0
/* offcputime: the time a thread spends switched out, keyed by its stack ids;
 * the switched-out task comes from the tp_btf arguments, its stack from the
 * context (get_stackid on a tracing program). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

struct off_key {
	u32 pid, tgid;
	int user_stack_id, kern_stack_id;
};

struct off_start {
	u64 start_ts;
	struct off_key key;
};

const volatile u64 min_block_ns = 1;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, u32);
	__type(value, struct off_start);
	__uint(max_entries, 10240);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(key_size, sizeof(u32));
	__uint(max_entries, 2048);
	__uint(value_size, 127 * sizeof(u64));
} stackmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct off_key);
	__type(value, u64);
	__uint(max_entries, 10240);
} info SEC(".maps");

SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct off_start *sp, s = {};
	u32 pid = BPF_CORE_READ(prev, pid);
	s64 delta;
	u64 *val;

	s.key.pid = pid;
	s.key.tgid = BPF_CORE_READ(prev, tgid);
	s.key.user_stack_id = bpf_get_stackid(ctx, &stackmap, BPF_F_USER_STACK);
	s.key.kern_stack_id = bpf_get_stackid(ctx, &stackmap, 0);
	s.start_ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&start, &pid, &s, BPF_ANY);

	pid = BPF_CORE_READ(next, pid);
	sp = bpf_map_lookup_elem(&start, &pid);
	if (!sp)
		return 0;
	delta = (s64)(bpf_ktime_get_ns() - sp->start_ts);
	if (delta <= 0 || (u64)delta < min_block_ns)
		goto cleanup;
	val = bpf_map_lookup_elem(&info, &sp->key);
	if (val) {
		__sync_fetch_and_add(val, delta / 1000);
	} else {
		u64 us = delta / 1000;

		bpf_map_update_elem(&info, &sp->key, &us, BPF_NOEXIST);
	}
cleanup:
	bpf_map_delete_elem(&start, &pid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
