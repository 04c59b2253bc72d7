/* Objects of every program type bpfvm verifies without an event source (BPF C
 * compiled by clang, tests/progtypes/bpf/), each program reading every
 * context field its type allows and writing the writable ones: bpfvm loads
 * (verifies) every one of them, and so does the running kernel through
 * libbpf, with the expected attach type its section gives. Usage:
 *
 *     test_progtype_objects OBJDIR NAME...      (NAME.bpf.o in OBJDIR)
 *
 * Without bpf() only bpfvm's half runs (exit 77 after it, when it passed).
 * A kernel that cannot load a type at all (EPERM or ENOTSUPP before its
 * verifier runs: fentry and lsm need BPF trampolines, which some kernels,
 * this machine's included, do not offer) is reported, not counted. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "bpfvm/bpfvm.h"
#include "kernel_oracle.h"
#include "testlib.h"

static void objects_bpfvm_load(const char *path, const char *name)
{
	struct bpfvm_object *obj = NULL;
	struct bpfvm *vm = oracle_vm();
	int err = bpfvm_object_open(vm, path, NULL, &obj);

	if (!err)
		err = bpfvm_object_load(obj);
	testlib_check("bpfvm_verifies_every_program_type", !err, "%s: %s", name,
		      err ? bpfvm_errmsg() : "");
	if (!err)
		for (size_t i = 0; i < bpfvm_object_prog_cnt(obj); i++)
			printf("  %s: %s verified\n", name,
			       bpfvm_prog_name(bpfvm_object_prog(obj, i)));
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
}

static void objects_kernel_load(const char *path, const char *name)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	int err = libbpf_get_error(obj);

	if (!err)
		err = bpf_object__load(obj);
	if (err == -EPERM || err == -EOPNOTSUPP || err == -524 /* ENOTSUPP */) {
		printf("  %s: the kernel cannot load this type here (%d): not compared\n", name,
		       err);
		bpf_object__close(obj);
		return;
	}
	testlib_check("the_kernel_loads_the_same_objects", !err,
		      "%s: libbpf: %d (its verifier log is above)", name, err);
	bpf_object__close(obj);
}

int main(int argc, char **argv)
{
	bool kernel = oracle_kernel_usable();
	char path[4096];
	int failed;

	if (argc < 3) {
		fprintf(stderr, "usage: %s OBJDIR NAME...\n", argv[0]);
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		snprintf(path, sizeof(path), "%s/%s.bpf.o", argv[1], argv[i]);
		objects_bpfvm_load(path, argv[i]);
		if (kernel)
			objects_kernel_load(path, argv[i]);
	}
	failed = testlib_summary();
	return !failed && !kernel ? ORACLE_SKIP : failed;
}
