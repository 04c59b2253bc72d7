// SPDX-License-Identifier: GPL-2.0
/* The cgroup filter every libbpf-tool declares (execsnoop, runqlat,
 * hardirqs, biolatency: `filter_cg` and a CGROUP_ARRAY), asked for every
 * slot: the thread's own cgroup, an ancestor, an unrelated one, an empty
 * slot, past the end. A raw tracepoint, test-runnable in both: the run's
 * thread is the caller's. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define SLOTS 4

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, SLOTS);
	__type(key, u32);
	__type(value, u32);
} cgroup_map SEC(".maps");

const volatile bool filter_cg = true;
long under[SLOTS + 1];
u64 events;

SEC("raw_tp/sys_enter")
int filter_by_cgroup(struct bpf_raw_tracepoint_args *ctx)
{
	for (u32 i = 0; i <= SLOTS; i++)
		under[i] = bpf_current_task_under_cgroup(&cgroup_map, i);
	if (filter_cg && !bpf_current_task_under_cgroup(&cgroup_map, 0))
		return 0;
	events++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
