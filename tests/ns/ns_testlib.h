/* What the namespace tests share: a fresh namespace root per test, runtimes
 * in it, and children that act in other processes. */
#ifndef BPFVM_TESTS_NS_TESTLIB_H
#define BPFVM_TESTS_NS_TESTLIB_H

#include <stdbool.h>
#include <sys/types.h>

#include "bpfvm/bpfvm.h"

/* A new empty root directory (mode 0755) under /tmp, in buf. Exits on
 * failure. */
void ns_test_root_make(char *buf, size_t size);
/* Removes the root and everything under it. */
void ns_test_root_remove(const char *root);

/* A runtime in the namespace at root (2 vCPUs); exits on failure. */
struct bpfvm *ns_test_vm(const char *root);

/* Opens and loads dir/file in vm; NULL (and a message on stderr) on
 * failure. */
struct bpfvm_object *ns_test_load_object(struct bpfvm *vm, const char *dir, const char *file);

/* Runs fn(arg) in a child process; returns its exit status (fn's return
 * value), or -1 if it did not exit normally. */
int ns_test_in_child(int (*fn)(const char *root, void *arg), const char *root, void *arg);

/* Counts the namespace's live map entries named `name`. */
int ns_test_count_named(struct bpfvm *vm, const char *name);

/* Whether `path` exists. */
bool ns_test_exists(const char *path);

#endif
