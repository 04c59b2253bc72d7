// SPDX-License-Identifier: GPL-2.0
/* opensnoop: openat's arguments at entry in a hash, the result at exit sent
 * as a ring buffer record, with pid/tgid/uid filters in .rodata. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define NAME_MAX 255

struct open_args {
	const char *fname;
	int flags;
};

struct open_event {
	u64 ts;
	pid_t pid;
	uid_t uid;
	int ret;
	int flags;
	char comm[16];
	char fname[NAME_MAX];
};

const volatile pid_t targ_pid = 0;
const volatile pid_t targ_tgid = 0;
const volatile bool targ_failed = false;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u32);
	__type(value, struct open_args);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} rb SEC(".maps");

static bool trace_allowed(u32 tgid, u32 pid)
{
	if (targ_tgid && targ_tgid != tgid)
		return false;
	if (targ_pid && targ_pid != pid)
		return false;
	return true;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int tracepoint__syscalls__sys_enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tgid = id >> 32, pid = id;
	struct open_args args = {};

	if (!trace_allowed(tgid, pid))
		return 0;
	args.fname = (const char *)ctx->args[1];
	args.flags = (int)ctx->args[2];
	bpf_map_update_elem(&start, &pid, &args, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int tracepoint__syscalls__sys_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	u32 pid = bpf_get_current_pid_tgid();
	struct open_event *event;
	struct open_args *args;
	int ret = ctx->ret;

	args = bpf_map_lookup_elem(&start, &pid);
	if (!args)
		return 0;
	if (targ_failed && ret >= 0)
		goto cleanup;
	event = bpf_ringbuf_reserve(&rb, sizeof(*event), 0);
	if (!event)
		goto cleanup;
	event->ts = bpf_ktime_get_ns();
	event->pid = bpf_get_current_pid_tgid() >> 32;
	event->uid = bpf_get_current_uid_gid();
	event->ret = ret;
	event->flags = args->flags;
	bpf_get_current_comm(&event->comm, sizeof(event->comm));
	bpf_probe_read_user_str(&event->fname, sizeof(event->fname), args->fname);
	bpf_ringbuf_submit(event, 0);
cleanup:
	bpf_map_delete_elem(&start, &pid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
