/* Every program of scalar_patterns.bpf.c verifies in bpfvm, and (when
 * bpf() is usable) loads in the running kernel: clang's bounded-index
 * idioms need the scalar domain's ranges, refinements and linked copies.
 *
 *   test_scalar_patterns OBJDIR */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "../testlib.h"

static char libbpf_log[1 << 14];

static int keep_log(enum libbpf_print_level level, const char *fmt, va_list args)
{
	size_t used = strlen(libbpf_log);

	(void)level;
	if (used < sizeof(libbpf_log) - 256)
		vsnprintf(libbpf_log + used, sizeof(libbpf_log) - used, fmt, args);
	return 0;
}

/* The kernel loads the whole object: 1 accepted, 0 refused, -1 no bpf(). */
static int kernel_loads(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	int err;

	if (!obj)
		return -1;
	libbpf_set_print(keep_log);
	err = bpf_object__load(obj);
	bpf_object__close(obj);
	if (err == -EPERM || err == -ENOSYS)
		return -1;
	return err == 0;
}

int main(int argc, char **argv)
{
	struct bpfvm *vm = testlib_vm_create();
	struct bpfvm_object *obj = NULL;
	char path[512];
	int err, k;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJDIR\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/scalar_patterns.bpf.o", argv[1]);
	err = bpfvm_object_open(vm, path, NULL, &obj);
	if (!err)
		err = bpfvm_object_load(obj);
	testlib_check("bpfvm_verifies_every_pattern", err == 0, "%s", bpfvm_errmsg());
	k = kernel_loads(path);
	if (k < 0)
		printf("note: kernel bpf() not usable: bpfvm's verdict only\n");
	else
		testlib_check("the_kernel_verifies_every_pattern", k == 1, "%s", libbpf_log);
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
	return testlib_summary();
}
