/* Seed 001's user side: loads syscall_dispatch.bpf.o, feeds sys_enter
 * events to the dispatcher as the raw tracepoint would (args[1] = syscall
 * number), registers a second per-syscall program from user space, and
 * shows which program handled each syscall.
 *
 * Usage: syscall_dispatch [OBJECT]   (default: the build's object) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "example.h"
#include "syscall_dispatch.h"

struct dispatcher {
	struct bpfvm *vm;
	struct bpfvm_object *obj;
	struct bpfvm_prog *entry;
	struct bpfvm_map *programs;
};

/* One sys_enter event: the context is the tracepoint's argument array. */
static void enter_syscall(struct dispatcher *d, uint64_t nr, const char *name)
{
	/* struct bpf_raw_tracepoint_args: args[0] (struct pt_regs *, not
	 * read here), args[1]. */
	uint64_t args[2] = { 0, nr };
	struct bpfvm_test_run_opts run = { .sz = sizeof(run), .ctx_in = args,
					   .ctx_size_in = sizeof(args) };
	int err;

	err = bpfvm_prog_test_run(d->entry, &run);
	if (err)
		example_fail("bpfvm_prog_test_run(sys_enter_dispatch)", err);
	printf("sys_enter, syscall %llu (%s): return value %u\n", (unsigned long long)nr, name,
	       run.retval);
	example_print_trace(d->vm, "  ");
}

/* What user space sees in a prog array slot: a program id. */
static void show_slot(struct dispatcher *d, uint32_t nr, const char *note)
{
	uint32_t id;
	int err = bpfvm_map_lookup(d->programs, &nr, &id);

	if (err == -ENOENT) {
		printf("syscall_programs[%u]: empty\n", nr);
		return;
	}
	if (err)
		example_fail("bpfvm_map_lookup(syscall_programs)", err);
	for (size_t i = 0; i < bpfvm_object_prog_cnt(d->obj); i++) {
		struct bpfvm_prog *prog = bpfvm_object_prog(d->obj, i);

		if (bpfvm_prog_id(prog) == id)
			printf("syscall_programs[%u]: %s%s\n", nr, bpfvm_prog_name(prog), note);
	}
}

static void set_slot(struct dispatcher *d, uint32_t nr, const char *prog_name)
{
	uint32_t id = bpfvm_prog_id(example_prog(d->obj, prog_name));
	int err = bpfvm_map_update(d->programs, &nr, &id, BPF_ANY);

	if (err)
		example_fail("bpfvm_map_update(syscall_programs)", err);
	printf("user space sets syscall_programs[%u] = %s\n", nr, prog_name);
}

static void delete_slot(struct dispatcher *d, uint32_t nr)
{
	int err = bpfvm_map_delete(d->programs, &nr);

	if (err)
		example_fail("bpfvm_map_delete(syscall_programs)", err);
	printf("user space deletes syscall_programs[%u]\n", nr);
}

static void show_counts(struct dispatcher *d)
{
	struct bpfvm_map *counts = example_map(d->obj, "syscall_counts");

	printf("syscall_counts (syscall: times seen):");
	for (uint32_t nr = 0; nr < MAX_SYSCALLS; nr++) {
		uint64_t count;
		int err = bpfvm_map_lookup(counts, &nr, &count);

		if (err)
			example_fail("bpfvm_map_lookup(syscall_counts)", err);
		if (count)
			printf(" %u: %llu", nr, (unsigned long long)count);
	}
	printf("\n");
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : EXAMPLE_DIR "/syscall_dispatch.bpf.o";
	struct dispatcher d = { 0 };
	int err = bpfvm_create(NULL, &d.vm);

	if (err)
		example_fail("bpfvm_create", err);
	d.obj = example_load_object(d.vm, path);
	d.entry = example_prog(d.obj, "sys_enter_dispatch");
	d.programs = example_map(d.obj, "syscall_programs");

	show_slot(&d, SYS_FCHMODAT, " (filled at load, from the object's .values)");
	show_slot(&d, SYS_OPENAT, "");
	enter_syscall(&d, SYS_FCHMODAT, "fchmodat");
	enter_syscall(&d, SYS_OPENAT, "openat");
	set_slot(&d, SYS_OPENAT, "enter_openat");
	show_slot(&d, SYS_OPENAT, "");
	enter_syscall(&d, SYS_OPENAT, "openat");
	enter_syscall(&d, SYS_EXECVE, "execve");
	delete_slot(&d, SYS_FCHMODAT);
	enter_syscall(&d, SYS_FCHMODAT, "fchmodat");
	show_counts(&d);

	bpfvm_object_close(d.obj);
	bpfvm_destroy(d.vm);
	return 0;
}
