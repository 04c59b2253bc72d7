#define _GNU_SOURCE /* nftw's FTW_DEPTH | FTW_PHYS */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ns/ns_testlib.h"

void ns_test_root_make(char *buf, size_t size)
{
	snprintf(buf, size, "/tmp/bpfvm-ns-test-XXXXXX");
	if (!mkdtemp(buf) || chmod(buf, 0755)) {
		perror("mkdtemp");
		exit(1);
	}
}

static int ns_test_remove_one(const char *path, const struct stat *st, int type,
			      struct FTW *ftw)
{
	return remove(path) ? -1 : 0;
}

void ns_test_root_remove(const char *root)
{
	nftw(root, ns_test_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

struct bpfvm *ns_test_vm(const char *root)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = 2, .ns_root = root };
	struct bpfvm *vm;
	int err = bpfvm_create(&opts, &vm);

	if (err) {
		fprintf(stderr, "bpfvm_create in '%s': %d %s\n", root, err, bpfvm_errmsg());
		exit(1);
	}
	return vm;
}

int ns_test_in_child(int (*fn)(const char *root, void *arg), const char *root, void *arg)
{
	pid_t pid;
	int status;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0)
		_exit(fn(root, arg));
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

struct ns_test_count {
	const char *name;
	int count;
};

static int ns_test_count_one(void *ctx, const struct bpfvm_ns_entry *entry)
{
	struct ns_test_count *count = ctx;

	count->count += strcmp(entry->name, count->name) == 0;
	return 0;
}

int ns_test_count_named(struct bpfvm *vm, const char *name)
{
	struct ns_test_count count = { .name = name };

	if (bpfvm_ns_list(vm, ns_test_count_one, &count))
		return -1;
	return count.count;
}

bool ns_test_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

struct bpfvm_object *ns_test_load_object(struct bpfvm *vm, const char *dir, const char *file)
{
	char path[512];
	struct bpfvm_object *obj;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (bpfvm_object_open(vm, path, NULL, &obj)) {
		fprintf(stderr, "open %s: %s\n", path, bpfvm_errmsg());
		return NULL;
	}
	if (bpfvm_object_load(obj)) {
		fprintf(stderr, "load %s: %s\n", path, bpfvm_errmsg());
		bpfvm_object_close(obj);
		return NULL;
	}
	return obj;
}
