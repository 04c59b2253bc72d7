/* bpf_seq_printf from iterators (test_seq_printf.c): a seq_file, a format
 * in read-only memory with its size, an array of u64 arguments (maybe NULL
 * with size 0). Each program is loaded alone (SEC("?...")). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define __co_re __attribute__((preserve_access_index))

struct seq_file;

struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
} __co_re;

struct task_struct {
	int pid;
} __co_re;

struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
} __co_re;

char LICENSE[] SEC("license") = "GPL";

static const char fmt_pid[] = "pid %d seq %llu\n";
static const char fmt_plain[] = "tasks\n";

SEC("?iter/task")
int seq_printf_args(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	__u64 args[2];

	if (!task)
		return 0;
	args[0] = task->pid;
	args[1] = ctx->meta->seq_num;
	bpf_seq_printf(seq, fmt_pid, sizeof(fmt_pid), args, sizeof(args));
	return 0;
}

SEC("?iter/task")
int seq_printf_no_args(struct bpf_iter__task *ctx)
{
	bpf_seq_printf(ctx->meta->seq, fmt_plain, sizeof(fmt_plain), NULL, 0);
	return 0;
}

/* The task where the seq_file goes. */
SEC("?iter/task")
int seq_printf_not_a_seq_file(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;

	if (!task)
		return 0;
	bpf_seq_printf((struct seq_file *)task, fmt_plain, sizeof(fmt_plain), NULL, 0);
	return 0;
}

/* A format size past the format's bytes. */
SEC("?iter/task")
int seq_printf_fmt_too_long(struct bpf_iter__task *ctx)
{
	bpf_seq_printf(ctx->meta->seq, fmt_plain, sizeof(fmt_plain) + 64, NULL, 0);
	return 0;
}

/* The task as its BTF describes it (type id 0 here: the test checks the
 * verifier, not the output). */
SEC("?iter/task")
int seq_printf_btf_task(struct bpf_iter__task *ctx)
{
	struct btf_ptr ptr = { .ptr = ctx->task };

	bpf_seq_printf_btf(ctx->meta->seq, &ptr, sizeof(ptr), 0);
	return 0;
}

/* Only iterators write to a seq_file. */
SEC("?raw_tp/sys_enter")
int seq_printf_not_an_iterator(void *ctx)
{
	bpf_seq_printf(ctx, fmt_plain, sizeof(fmt_plain), NULL, 0);
	return 0;
}
