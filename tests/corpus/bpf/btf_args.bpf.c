// SPDX-License-Identifier: GPL-2.0
/* The arguments of BTF-typed programs (tp_btf, fentry, fexit, lsm, iter),
 * typed by the attach target's prototype in the kernel's BTF: pointers to
 * structs are kernel objects the program reads field by field, integers
 * are scalars. The safe programs read as tools do (task->pid, skb->len,
 * file->f_inode->i_ino, the fexit return value, a task argument handed to
 * the task storage); each unsafe_* one breaks one of the kernel's rules
 * (btf_ctx_access, btf_struct_access, the helpers' BTF argument types). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, u64);
} task_marks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, u64);
} sock_marks SEC(".maps");

u64 seen = 0;

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_pids, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	seen += next->pid + prev->comm[0] + preempt;
	return 0;
}

SEC("tp_btf/netif_receive_skb")
int BPF_PROG(skb_len, struct sk_buff *skb)
{
	seen += skb->len;
	return 0;
}

/* A pointer field is a kernel object in its turn: bprm->file->f_inode. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(exec_inode, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	seen += bprm->file->f_inode->i_ino + old_pid;
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(exit_mark, struct task_struct *p, bool group_dead)
{
	u64 *mark = bpf_task_storage_get(&task_marks, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (mark)
		*mark = group_dead;
	return 0;
}

SEC("fentry/do_unlinkat")
int BPF_PROG(unlink_name, int dfd, struct filename *name)
{
	seen += name->refcnt.counter + dfd;
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(unlink_ret, int dfd, struct filename *name, long ret)
{
	seen += ret;
	return 0;
}

SEC("lsm/file_open")
int BPF_PROG(open_inode, struct file *file)
{
	seen += file->f_inode->i_ino;
	return 0;
}

SEC("iter/task")
int task_iter_pid(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;

	if (task)
		seen += task->pid + ctx->meta->seq_num;
	return 0;
}

/* skb->sk is an RCU pointer that may be NULL (sk_buff__safe_rcu_or_null):
 * read after the check, and handed to the socket storage. */
SEC("tp_btf/netif_receive_skb")
int BPF_PROG(skb_sock_checked, struct sk_buff *skb)
{
	struct sock *sk = skb->sk;

	if (sk) {
		seen += sk->sk_rcvbuf;
		bpf_sk_storage_get(&sock_marks, sk, 0, 0);
	}
	return 0;
}

/* A trusted task's real_parent (RCU), and a field through a plain pointer
 * (p->mm->owner), as tasks for the storage. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(exec_parents, struct task_struct *p)
{
	bpf_task_storage_get(&task_marks, p->real_parent, 0, 0);
	bpf_task_storage_get(&task_marks, p->mm->owner, 0, 0);
	return 0;
}

/* A char * field is read-only memory read at any offset; an array of
 * integers is scratch space (8 bytes inside comm[16]). */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(exec_filename, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	seen += bprm->filename[old_pid & 0xff] + *(u64 *)&p->comm[4];
	return 0;
}

/* A narrow read of an integer argument. */
SEC("tp_btf/sched_switch")
int narrow_bool_arg(u64 *ctx)
{
	seen += *(u32 *)ctx;
	return 0;
}

/* ---- unsafe ---------------------------------------------------------- */

/* A number where bpf_task_storage_get wants a task. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(unsafe_task_storage_of_pid, struct task_struct *p, pid_t old_pid)
{
	bpf_task_storage_get(&task_marks, (void *)(long)old_pid, 0, 0);
	return 0;
}

/* A socket buffer where it wants a task. */
SEC("tp_btf/netif_receive_skb")
int BPF_PROG(unsafe_task_storage_of_skb, struct sk_buff *skb)
{
	bpf_task_storage_get(&task_marks, (void *)skb, 0, 0);
	return 0;
}

/* Kernel objects are read only. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(unsafe_store_task_pid, struct task_struct *p)
{
	p->pid = 0;
	return 0;
}

/* One u64 past the end of struct sk_buff. */
SEC("tp_btf/netif_receive_skb")
int BPF_PROG(unsafe_read_past_skb, struct sk_buff *skb)
{
	seen += *(u64 *)((char *)skb + sizeof(*skb));
	return 0;
}

/* sched_process_exit has two arguments after __data: ctx[2] is none. */
SEC("tp_btf/sched_process_exit")
int unsafe_arg_beyond_prototype(u64 *ctx)
{
	seen += ctx[2];
	return 0;
}

/* Half of a pointer member. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(unsafe_half_pointer_field, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	seen += *(u32 *)&bprm->file;
	return 0;
}

/* An iterator's object is NULL at the end of the walk. */
SEC("iter/task")
int unsafe_iter_task_unchecked(struct bpf_iter__task *ctx)
{
	seen += ctx->task->pid;
	return 0;
}

/* A store through fentry's argument. */
SEC("fentry/do_unlinkat")
int BPF_PROG(unsafe_fentry_store_name, int dfd, struct filename *name)
{
	name->refcnt.counter = 0;
	return 0;
}

/* fentry has no return value slot: ctx[2] is past do_unlinkat's two. */
SEC("fentry/do_unlinkat")
int unsafe_fentry_reads_ret(u64 *ctx)
{
	seen += ctx[2];
	return 0;
}

/* A scalar argument (dfd) as a task. */
SEC("fentry/do_unlinkat")
int BPF_PROG(unsafe_fentry_task_of_int, int dfd)
{
	bpf_task_storage_get(&task_marks, (void *)(long)dfd, 0, 0);
	return 0;
}

/* Half of a pointer argument. */
SEC("tp_btf/netif_receive_skb")
int unsafe_narrow_pointer_arg(u64 *ctx)
{
	seen += *(u32 *)ctx;
	return 0;
}

/* skb->sk without its NULL check. */
SEC("tp_btf/netif_receive_skb")
int BPF_PROG(unsafe_skb_sock_unchecked, struct sk_buff *skb)
{
	seen += skb->sk->sk_rcvbuf;
	return 0;
}

/* kfree_skb's rx_sk may be NULL (the kernel's raw_tp_null_args). */
SEC("tp_btf/kfree_skb")
int BPF_PROG(unsafe_kfree_skb_rx_sk, struct sk_buff *skb, void *location, int reason,
	     struct sock *rx_sk)
{
	seen += rx_sk->sk_rcvbuf;
	return 0;
}

/* A variable offset into a kernel object. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(unsafe_task_variable_offset, struct task_struct *p, pid_t old_pid)
{
	seen += *(u32 *)((char *)p + (old_pid & 8));
	return 0;
}

/* Before the object. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(unsafe_task_negative_offset, struct task_struct *p)
{
	seen += *(u32 *)((char *)p - 8);
	return 0;
}

/* 8 bytes into a task is no task. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(unsafe_task_storage_of_moved_task, struct task_struct *p)
{
	bpf_task_storage_get(&task_marks, (void *)((char *)p + 8), 0, 0);
	return 0;
}

/* What a char * field points to is read only. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(unsafe_write_filename, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	*(char *)bprm->filename = 0;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
