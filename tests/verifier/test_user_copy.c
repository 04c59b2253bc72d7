/* bpf_copy_from_user and bpf_copy_from_user_task: the kernel's prototypes,
 * for sleepable programs only ("helper call might sleep in a non-sleepable
 * prog") and outside an RCU read section, the task not NULL. Each program of iter/user_copy.bpf.c is loaded
 * alone by bpfvm and, when bpf() is usable, by the kernel through libbpf:
 * same verdict, the kernel's words. */
#include <stdio.h>

#include "../testlib.h"
#include "object_verdict.h"

static const struct object_case cases[] = {
	{ "copy_sleepable", NULL },
	{ "copy_task_sleepable", NULL },
	{ "copy_task_maybe_null", "R4 type=trusted_ptr_or_null_ expected=ptr_, trusted_ptr_, "
	  "rcu_ptr_" },
	{ "copy_not_sleepable", "helper call might sleep in a non-sleepable prog" },
	{ "copy_in_rcu_section", "sleepable helper bpf_copy_from_user#148 in rcu_read_lock region" },
};

int main(int argc, char **argv)
{
	struct bpfvm *vm = testlib_vm_create();
	char path[512];

	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJDIR\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/user_copy.bpf.o", argv[1]);
	object_verdict_run(vm, path, cases, sizeof(cases) / sizeof(cases[0]));
	bpfvm_destroy(vm);
	return testlib_summary();
}
