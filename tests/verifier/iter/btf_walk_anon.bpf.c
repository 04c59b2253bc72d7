/* Loads through kernel objects whose fields sit in anonymous unions and
 * structs (test_btf_walk_anon.c): the iterator's meta->seq, a file's
 * f_path (a union of two paths in Linux 6.18), a task's refcount_t. The
 * struct layouts below are the kernel's as far as the programs need them;
 * CO-RE moves each field to its place in the running kernel's BTF, anonymous
 * members included. Each program is loaded alone (SEC("?...")). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define __co_re __attribute__((preserve_access_index))

struct seq_file;

struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
} __co_re;

struct refcount_struct {
	struct {
		int counter;
	} refs; /* atomic_t */
} __co_re;

struct task_struct {
	struct refcount_struct usage;
	int pid;
} __co_re;

struct vfsmount {
	int mnt_flags;
} __co_re;

struct path {
	struct vfsmount *mnt;
	void *dentry;
} __co_re;

struct file {
	struct path f_path;
} __co_re;

struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
} __co_re;

struct bpf_iter__task_file {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
	__u32 fd;
	struct file *file;
} __co_re;

char LICENSE[] SEC("license") = "GPL";

/* seq is the only member of an anonymous union in bpf_iter_meta: the walk
 * finds a pointer to a seq_file, trusted as its parent (the kernel lists it
 * in bpf_iter_meta__safe_trusted), which bpf_seq_write takes. */
SEC("?iter/task")
int walk_meta_seq(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	__u64 seq_num = ctx->meta->seq_num;

	bpf_seq_write(seq, &seq_num, sizeof(seq_num));
	return 0;
}

/* f_path.mnt: the first pointer of the first struct of a union, at the
 * union's own offset: a pointer (untrusted: through a union of two), read
 * on as a kernel object. */
SEC("?iter/task_file")
int walk_union_first_ptr(struct bpf_iter__task_file *ctx)
{
	struct file *file = ctx->file;
	struct vfsmount *mnt;

	if (!file)
		return 0;
	mnt = file->f_path.mnt;
	return mnt->mnt_flags & 1;
}

/* Half of that pointer: refused ("cannot access ptr member"). */
SEC("?iter/task_file")
int walk_union_half_ptr(struct bpf_iter__task_file *ctx)
{
	struct file *file = ctx->file;

	if (!file)
		return 0;
	return *(volatile __u32 *)&file->f_path.mnt != 0;
}

/* Eight bytes at a four-byte refcount_t (at an offset that is a multiple
 * of 8 in the kernel's task_struct): past the member struct, refused there
 * ("access beyond struct refcount_struct"). The empty asm keeps the address
 * a relocated addition and the load a plain eight-byte one, which CO-RE
 * would otherwise resize or poison. */
SEC("?iter/task")
int walk_past_member_struct(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	__u64 *usage;

	if (!task)
		return 0;
	usage = (void *)&task->usage;
	asm volatile("" : "+r"(usage));
	return *usage != 0;
}

/* The same four bytes, whole: a number. */
SEC("?iter/task")
int walk_member_struct_int(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;

	if (!task)
		return 0;
	return task->usage.refs.counter & 1;
}

/* A store into a kernel object: refused ("only read is supported"). */
SEC("?iter/task")
int walk_store_refused(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;

	if (!task)
		return 0;
	task->pid = 1;
	return 0;
}
