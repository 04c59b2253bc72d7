/* BPF_PROG_TYPE_TRACING: fentry, fexit (arguments and return value),
 * fmod_ret, tp_btf and an iterator, each reading every argument slot its
 * target has (the kernel types them by BTF; bpfvm reads them as u64s). */
#include <stddef.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ctx_read.h"

/* do_unlinkat(int dfd, struct filename *name): two arguments. */
SEC("fentry/do_unlinkat")
int fentry_unlinkat(__u64 *ctx)
{
	READ(ctx[0]);
	READ_PTR(ctx[1]);
	READ_AT(ctx, __u32, 0); /* the int, narrow */
	return 0;
}

/* Pointer arguments are PTR_TO_BTF_ID in the kernel: the program reads
 * through them directly (struct filename starts with const char *name). */
SEC("fentry/do_unlinkat")
int fentry_deref(__u64 *ctx)
{
	void *filename = (void *)ctx[1];

	READ_PTR_AT(filename, 0);
	return 0;
}

SEC("fexit/do_unlinkat")
int fexit_unlinkat(__u64 *ctx)
{
	READ(ctx[0]);
	READ_PTR(ctx[1]);
	READ(ctx[2]); /* the return value */
	return 0;
}

/* bpf_modify_return_test(int a, int *b): the return value after them. */
SEC("fmod_ret/bpf_modify_return_test")
int fmod_ret_test(__u64 *ctx)
{
	READ(ctx[0]);
	READ(ctx[1]);
	READ(ctx[2]);
	return 7; /* replaces the return value: any value */
}

/* sched_switch(bool preempt, struct task_struct *prev, *next, prev_state) */
SEC("tp_btf/sched_switch")
int tp_btf_switch(__u64 *ctx)
{
	READ(ctx[0]);
	READ_PTR(ctx[1]);
	READ_PTR(ctx[2]);
	READ(ctx[3]);
	return 0;
}

struct bpf_iter_meta;
struct task_struct;
struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
};

SEC("iter/task")
int iter_task(struct bpf_iter__task *ctx)
{
	READ_PTR_AT(ctx, offsetof(struct bpf_iter__task, meta));
	READ_PTR_AT(ctx, offsetof(struct bpf_iter__task, task));
	return 1; /* iterators return 0 or 1 */
}

char LICENSE[] SEC("license") = "GPL";
