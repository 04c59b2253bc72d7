#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader_testlib.h"
#include "testlib.h"

const char *loader_objects_dir;

void loader_object_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", loader_objects_dir, name);
}

struct bpfvm *loader_vm_create(void)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = 2 };
	struct bpfvm *vm;

	if (bpfvm_create(&opts, &vm)) {
		fprintf(stderr, "bpfvm_create: %s\n", bpfvm_errmsg());
		exit(1);
	}
	return vm;
}

struct bpfvm_object *loader_open(const char *test, struct bpfvm *vm, const char *name)
{
	struct bpfvm_object *obj = NULL;
	char path[4096];
	int err;

	loader_object_path(path, sizeof(path), name);
	err = bpfvm_object_open(vm, path, NULL, &obj);
	testlib_check(test, err == 0, "open %s: %d %s", name, err, bpfvm_errmsg());
	return err ? NULL : obj;
}

bool loader_type_missing(const char *test, int err, const char *what)
{
	const char *msg = bpfvm_errmsg();

	if (err != -ENOTSUP ||
	    (!strstr(msg, "is not supported by bpfvm") && !strstr(msg, "is not implemented yet")))
		return false;
	printf("NOT CHECKED %s: %s: %s\n", test, what, bpfvm_errmsg());
	return true;
}
