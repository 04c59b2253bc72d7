/* The tail-call stack rule at load (SEMANTICS.md, tail calls): a
 * subprogram that makes a tail call is refused when the frames above it use
 * 256 bytes or more, each rounded up to 16, its own frame not counted — as
 * Linux 6.18 does (tail_stack.h says what it was checked with).
 *
 * Usage: test_tail_call_stack OBJECTS_DIR */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "testlib.h"

static int load(struct bpfvm *vm, const char *dir, const char *name)
{
	struct bpfvm_object *obj = NULL;
	char path[512];
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	err = bpfvm_object_open(vm, path, NULL, &obj);
	if (!err)
		err = bpfvm_object_load(obj);
	bpfvm_object_close(obj);
	return err;
}

int main(int argc, char **argv)
{
	const char *test = "tail_call_stack_rule_matches_the_kernel";
	struct bpfvm *vm;
	int err;

	if (argc != 2 || bpfvm_create(NULL, &vm))
		return 2;
	err = load(vm, argv[1], "tail_stack_fits.bpf.o");
	testlib_check(test, err == 0, "240 bytes above the tail-calling subprogram: loads (%d %s)",
		      err, bpfvm_errmsg());
	err = load(vm, argv[1], "tail_stack_too_large.bpf.o");
	testlib_check(test, err == -EACCES &&
				    strstr(bpfvm_errmsg(), "program 'entry': insn ") &&
				    strstr(bpfvm_errmsg(), "tail_calls are not allowed when call stack "
							   "of previous frames is 256 bytes. Too large"),
		      "256 bytes above: refused with the kernel's words (%d %s)", err,
		      bpfvm_errmsg());
	bpfvm_destroy(vm);
	return testlib_summary();
}
