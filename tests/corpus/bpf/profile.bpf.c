// SPDX-License-Identifier: GPL-2.0
/* profile: on each perf event sample, the user and kernel stack ids from a
 * STACK_TRACE map counted per (pid, stacks) in a hash. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define PERF_MAX_STACK_DEPTH 127

struct stack_key {
	u32 pid;
	int user_stack_id;
	int kern_stack_id;
	char name[16];
};

const volatile bool kernel_stacks_only = false;
const volatile bool user_stacks_only = false;
const volatile bool include_idle = false;
const volatile pid_t targ_pid = -1;

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(key_size, sizeof(u32));
	__uint(value_size, PERF_MAX_STACK_DEPTH * sizeof(u64));
	__uint(max_entries, 1024);
} stackmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct stack_key);
	__type(value, u64);
	__uint(max_entries, 10240);
} counts SEC(".maps");

SEC("perf_event")
int do_perf_event(struct bpf_perf_event_data *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 pid = id >> 32, tid = id;
	struct stack_key key = {};
	static const u64 zero;
	u64 *valp;

	if (!include_idle && tid == 0)
		return 0;
	if (targ_pid != -1 && targ_pid != pid)
		return 0;
	key.pid = pid;
	bpf_get_current_comm(&key.name, sizeof(key.name));
	key.user_stack_id = kernel_stacks_only ? -1 :
			    bpf_get_stackid(&ctx->regs, &stackmap, BPF_F_USER_STACK);
	key.kern_stack_id = user_stacks_only ? -1 : bpf_get_stackid(&ctx->regs, &stackmap, 0);
	valp = bpf_map_lookup_elem(&counts, &key);
	if (!valp) {
		bpf_map_update_elem(&counts, &key, &zero, BPF_NOEXIST);
		valp = bpf_map_lookup_elem(&counts, &key);
		if (!valp)
			return 0;
	}
	__sync_fetch_and_add(valp, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
