/* bpf_seq_printf, the kernel's prototype for iterators only: a seq_file,
 * a format in read-only memory and its size, u64 arguments (NULL with size
 * 0). Each program of iter/seq_printf.bpf.c is loaded alone by bpfvm and,
 * when bpf() is usable, by the kernel through libbpf: same verdict, the
 * kernel's words. */
#include <stdio.h>

#include "../testlib.h"
#include "object_verdict.h"
#include "verdict_kernel.h"

static const struct {
	const char *prog;
	const char *reason; /* NULL: accepted */
} cases[] = {
	{ "seq_printf_args", NULL },
	{ "seq_printf_no_args", NULL },
	{ "seq_printf_not_a_seq_file", "R1 is of type task_struct but seq_file is expected" },
	{ "seq_printf_fmt_too_long", "R2 min value is outside of the allowed memory range" },
	{ "seq_printf_not_an_iterator", "program of this type cannot use helper "
	  "bpf_seq_printf#126" },
};

int main(int argc, char **argv)
{
	struct bpfvm *vm = testlib_vm_create();
	bool kernel = verdict_kernel_usable();
	char path[512], kbuf[1024], vbuf[4096];

	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJDIR\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/seq_printf.bpf.o", argv[1]);
	if (!kernel)
		printf("note: kernel bpf() not usable, comparing with the recorded reasons only\n");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *want = cases[i].reason;
		const char *b = object_verdict_bpfvm(vm, path, cases[i].prog, vbuf, sizeof(vbuf));

		testlib_check(cases[i].prog, object_verdict_says(want, b), "bpfvm: %s | want: %s",
			      b ? b : "(accepted)", want ? want : "(accepted)");
		if (kernel) {
			int k = object_verdict_kernel(path, cases[i].prog, kbuf, sizeof(kbuf));
			const char *kr = k ? kbuf : NULL;

			testlib_check(cases[i].prog, k >= 0 && object_verdict_says(want, kr),
				      "kernel: %s | want: %s", k ? kbuf : "(accepted)",
				      want ? want : "(accepted)");
		}
	}
	bpfvm_destroy(vm);
	return testlib_summary();
}
