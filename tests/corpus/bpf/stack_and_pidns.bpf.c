// SPDX-License-Identifier: GPL-2.0
/* bpf_get_stack into a ring buffer record and onto the stack (opensnoop
 * records its callers so), and bpf_get_ns_current_pid_tgid against the pid
 * namespace user space names by device and inode (libbpf-bootstrap's
 * minimal_ns). The unsafe ones hand either helper more bytes than the
 * memory it writes. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define CALLERS 4

struct caller_event {
	u32 pid;
	s32 depth;
	u64 callers[CALLERS];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} callers SEC(".maps");

const volatile u64 pidns_dev = 0;
const volatile u64 pidns_ino = 0;
u32 seen_pid = 0;

SEC("tracepoint/syscalls/sys_exit_openat")
int record_user_callers(void *ctx)
{
	struct caller_event *e = bpf_ringbuf_reserve(&callers, sizeof(*e), 0);
	long got;

	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	got = bpf_get_stack(ctx, e->callers, sizeof(e->callers), BPF_F_USER_STACK);
	e->depth = got < 0 ? (s32)got : (s32)(got / sizeof(u64));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("kprobe/do_sys_openat2")
int kernel_stack_on_stack(struct pt_regs *ctx)
{
	u64 frames[3];

	bpf_get_stack(ctx, frames, sizeof(frames), 0);
	return frames[1] == 0;
}

SEC("tp/syscalls/sys_enter_write")
int pid_in_namespace(void *ctx)
{
	struct bpf_pidns_info ns;

	if (bpf_get_ns_current_pid_tgid(pidns_dev, pidns_ino, &ns, sizeof(ns)))
		return 0;
	seen_pid = ns.tgid;
	return 0;
}

SEC("kprobe/do_sys_openat2")
int unsafe_get_stack_past_buffer(struct pt_regs *ctx)
{
	u64 frames[3];

	bpf_get_stack(ctx, frames, sizeof(frames) + 8, 0);
	return frames[1] == 0;
}

SEC("tp/syscalls/sys_enter_write")
int unsafe_pidns_info_too_small(void *ctx)
{
	u32 pid_only;

	bpf_get_ns_current_pid_tgid(pidns_dev, pidns_ino, (void *)&pid_only,
				    sizeof(struct bpf_pidns_info));
	return pid_only;
}

char LICENSE[] SEC("license") = "GPL";
