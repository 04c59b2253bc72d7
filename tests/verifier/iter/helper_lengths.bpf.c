/* Lengths returned by the helpers that write into the program's memory
 * (test_helper_lengths.c): at most the size given, or a negative errno, as
 * the kernel's do_refine_retval_range bounds them, so that a positive one
 * is a size for the next helper. Each program is loaded alone. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define __co_re __attribute__((preserve_access_index))

struct seq_file;

struct bpf_iter_meta {
	struct seq_file *seq;
} __co_re;

struct task_struct {
	int pid;
} __co_re;

struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
} __co_re;

char LICENSE[] SEC("license") = "GPL";

__u64 stack[32];
char name[64];

/* bpf_get_task_stack's length, handed to bpf_seq_write as its size. */
SEC("?iter/task")
int stack_length_as_size(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	long len;

	if (!task)
		return 0;
	len = bpf_get_task_stack(task, stack, sizeof(stack), 0);
	if (len > 0)
		bpf_seq_write(seq, stack, len);
	return 0;
}

/* bpf_probe_read_kernel_str's length, the same way. */
SEC("?iter/task")
int string_length_as_size(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	long len;

	if (!task)
		return 0;
	len = bpf_probe_read_kernel_str(name, sizeof(name), task);
	if (len > 0)
		bpf_seq_write(seq, name, len);
	return 0;
}

/* A length of up to 64 bytes for a buffer of 16 past its start. */
SEC("?iter/task")
int string_length_too_long(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	long len;

	if (!task)
		return 0;
	len = bpf_probe_read_kernel_str(name, sizeof(name), task);
	if (len > 0)
		bpf_seq_write(seq, name + 48, len);
	return 0;
}

/* Negative lengths are errors: a length not tested for them is no size. */
SEC("?iter/task")
int string_length_unchecked(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	long len;

	if (!task)
		return 0;
	len = bpf_probe_read_kernel_str(name, sizeof(name), task);
	bpf_seq_write(seq, name, len);
	return 0;
}
