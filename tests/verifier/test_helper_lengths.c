/* The lengths bpf_get_task_stack and bpf_probe_read_*_str return: at most
 * the size they were given, or a negative errno (the kernel's
 * do_refine_retval_range), so that a positive one is a size for the next
 * helper. Each program of iter/helper_lengths.bpf.c is loaded alone by
 * bpfvm and, when bpf() is usable, by the kernel through libbpf: same
 * verdict, the kernel's words. */
#include <stdio.h>

#include "../testlib.h"
#include "object_verdict.h"

static const struct object_case cases[] = {
	{ "stack_length_as_size", NULL },
	{ "string_length_as_size", NULL },
	{ "string_length_too_long", "R2 min value is outside of the allowed memory range" },
	{ "string_length_unchecked", "R3 min value is negative, either use unsigned or "
	  "'var &= const'" },
};

int main(int argc, char **argv)
{
	struct bpfvm *vm = testlib_vm_create();
	char path[512];

	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJDIR\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/helper_lengths.bpf.o", argv[1]);
	object_verdict_run(vm, path, cases, sizeof(cases) / sizeof(cases[0]));
	bpfvm_destroy(vm);
	return testlib_summary();
}
