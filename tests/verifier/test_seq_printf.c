/* bpf_seq_printf, the kernel's prototype for iterators only: a seq_file,
 * a format in read-only memory and its size, u64 arguments (NULL with size
 * 0); bpf_seq_printf_btf, a seq_file and a struct btf_ptr. Each program of iter/seq_printf.bpf.c is loaded alone by bpfvm and,
 * when bpf() is usable, by the kernel through libbpf: same verdict, the
 * kernel's words. */
#include <stdio.h>

#include "../testlib.h"
#include "object_verdict.h"

static const struct object_case cases[] = {
	{ "seq_printf_args", NULL },
	{ "seq_printf_no_args", NULL },
	{ "seq_printf_btf_task", NULL },
	{ "seq_printf_not_a_seq_file", "R1 is of type task_struct but seq_file is expected" },
	{ "seq_printf_fmt_too_long", "R2 min value is outside of the allowed memory range" },
	{ "seq_printf_not_an_iterator", "program of this type cannot use helper "
	  "bpf_seq_printf#126" },
};

int main(int argc, char **argv)
{
	struct bpfvm *vm = testlib_vm_create();
	char path[512];

	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJDIR\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/seq_printf.bpf.o", argv[1]);
	object_verdict_run(vm, path, cases, sizeof(cases) / sizeof(cases[0]));
	bpfvm_destroy(vm);
	return testlib_summary();
}
