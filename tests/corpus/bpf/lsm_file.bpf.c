// SPDX-License-Identifier: GPL-2.0
/* An LSM policy: inode local storage marks files, file_open refuses a marked
 * file with -EPERM; the BPF syscall hook counts commands. Return values stay
 * in the hooks' errno range. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define EPERM 1

struct inode_mark {
	u32 denied;
	u32 opens;
};

struct {
	__uint(type, BPF_MAP_TYPE_INODE_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct inode_mark);
} marks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 64);
	__type(key, u32);
	__type(value, u64);
} bpf_cmds SEC(".maps");

const volatile u32 protected_pid = 0;

SEC("lsm/file_open")
int BPF_PROG(check_file_open, struct file *file)
{
	struct inode_mark *mark;

	mark = bpf_inode_storage_get(&marks, file->f_inode, 0, 0);
	if (!mark)
		return 0;
	mark->opens++;
	if (mark->denied)
		return -EPERM;
	return 0;
}

SEC("lsm/bpf")
int BPF_PROG(count_bpf_cmd, int cmd, union bpf_attr *attr, unsigned int size, int ret)
{
	u32 key = cmd & 63;
	u64 *count;

	if (ret) /* an earlier program denied it: deny too, with an errno */
		return -EPERM;
	count = bpf_map_lookup_elem(&bpf_cmds, &key);
	if (count)
		(*count)++;
	if (protected_pid && (bpf_get_current_pid_tgid() >> 32) == protected_pid)
		return -EPERM;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
