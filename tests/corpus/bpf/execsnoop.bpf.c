// SPDX-License-Identifier: GPL-2.0
/* execsnoop, as bcc's libbpf-tools shape it: the syscall's arguments kept in
 * a hash at entry, the event sent through a perf buffer at exit, the parent
 * read with CO-RE from the current task, and filters in .rodata. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define ARGSIZE 64
#define MAX_ARGS 8

struct exec_event {
	pid_t pid, ppid;
	uid_t uid;
	int retval;
	int args_count;
	unsigned int args_size;
	char comm[16];
	char args[MAX_ARGS * ARGSIZE];
};

const volatile bool ignore_failed = true;
const volatile uid_t targ_uid = -1;
const volatile int max_args = MAX_ARGS;

static const struct exec_event empty_event = {};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, pid_t);
	__type(value, struct exec_event);
} execs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(u32));
} events SEC(".maps");

static bool valid_uid(uid_t uid)
{
	return uid != (uid_t)-1;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int tracepoint__syscalls__sys_enter_execve(struct trace_event_raw_sys_enter *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	uid_t uid = (u32)bpf_get_current_uid_gid();
	pid_t pid = (pid_t)id, tgid = id >> 32;
	const char **args = (const char **)(ctx->args[1]);
	struct task_struct *task;
	struct exec_event *event;
	const char *argp;
	unsigned int ret;

	if (valid_uid(targ_uid) && targ_uid != uid)
		return 0;
	if (bpf_map_update_elem(&execs, &pid, &empty_event, BPF_NOEXIST))
		return 0;
	event = bpf_map_lookup_elem(&execs, &pid);
	if (!event)
		return 0;
	event->pid = tgid;
	event->uid = uid;
	task = (struct task_struct *)bpf_get_current_task();
	event->ppid = (pid_t)BPF_CORE_READ(task, real_parent, tgid);
	event->args_count = 0;
	event->args_size = 0;

	ret = bpf_probe_read_user_str(event->args, ARGSIZE, (const char *)ctx->args[0]);
	if (ret > ARGSIZE)
		return 0;
	event->args_count++;
	event->args_size += ret;
	for (int i = 1; i < MAX_ARGS; i++) {
		if (i >= max_args)
			break;
		if (bpf_probe_read_user(&argp, sizeof(argp), &args[i]) || !argp)
			return 0;
		if (event->args_size > (MAX_ARGS - 1) * ARGSIZE)
			return 0;
		ret = bpf_probe_read_user_str(&event->args[event->args_size], ARGSIZE, argp);
		if (ret > ARGSIZE)
			return 0;
		event->args_count++;
		event->args_size += ret;
	}
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_execve")
int tracepoint__syscalls__sys_exit_execve(struct trace_event_raw_sys_exit *ctx)
{
	pid_t pid = (pid_t)bpf_get_current_pid_tgid();
	struct exec_event *event;
	unsigned int len;
	int ret = ctx->ret;

	event = bpf_map_lookup_elem(&execs, &pid);
	if (!event)
		return 0;
	if (ignore_failed && ret < 0)
		goto cleanup;
	event->retval = ret;
	bpf_get_current_comm(&event->comm, sizeof(event->comm));
	len = offsetof(struct exec_event, args) + event->args_size;
	if (len <= sizeof(*event))
		bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, event, len);
cleanup:
	bpf_map_delete_elem(&execs, &pid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
