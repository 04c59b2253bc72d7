/* bpf_copy_from_user and bpf_copy_from_user_task (test_user_copy.c): they
 * may sleep, so only sleepable programs call them (iter.s here). Each
 * program is loaded alone (SEC("?...")). */
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

__u64 user_addr;

SEC("?iter.s/task")
int copy_sleepable(struct bpf_iter__task *ctx)
{
	__u64 word = 0;

	bpf_copy_from_user(&word, sizeof(word), (void *)user_addr);
	return word == 1;
}

SEC("?iter.s/task")
int copy_task_sleepable(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	__u64 word = 0;

	if (!task)
		return 0;
	bpf_copy_from_user_task(&word, sizeof(word), (void *)user_addr, task, 0);
	return word == 1;
}

/* A task that may be NULL. */
SEC("?iter.s/task")
int copy_task_maybe_null(struct bpf_iter__task *ctx)
{
	__u64 word = 0;

	bpf_copy_from_user_task(&word, sizeof(word), (void *)user_addr, ctx->task, 0);
	return word == 1;
}

/* Not sleepable. */
SEC("?iter/task")
int copy_not_sleepable(struct bpf_iter__task *ctx)
{
	__u64 word = 0;

	bpf_copy_from_user(&word, sizeof(word), (void *)user_addr);
	return word == 1;
}

extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

/* Sleepable, but inside an RCU read section, where nothing may sleep. */
SEC("?iter.s/task")
int copy_in_rcu_section(struct bpf_iter__task *ctx)
{
	__u64 word = 0;

	bpf_rcu_read_lock();
	bpf_copy_from_user(&word, sizeof(word), (void *)user_addr);
	bpf_rcu_read_unlock();
	return word == 1;
}
