/* What the loader's tests share: the objects' directory, a runtime, opening
 * an object by file name, and telling a load that bpfvm cannot finish yet
 * (a program type it lacks) from a load that fails. */
#ifndef BPFVM_TESTS_OBJECT_LOADER_TESTLIB_H
#define BPFVM_TESTS_OBJECT_LOADER_TESTLIB_H

#include <stdbool.h>
#include <stddef.h>

#include "bpfvm/bpfvm.h"

/* Set by main() from its argument. */
extern const char *loader_objects_dir;

void loader_object_path(char *buf, size_t size, const char *name);

/* A runtime with 2 virtual CPUs; exits on failure. */
struct bpfvm *loader_vm_create(void);

/* bpfvm_object_open of OBJECTS_DIR/name; reports a failure as a check of
 * `test` and returns NULL. */
struct bpfvm_object *loader_open(const char *test, struct bpfvm *vm, const char *name);

/* Whether a load failed only because bpfvm lacks a program type of the
 * object, or its context rewriting (prog_prepare's -ENOTSUP, "... is not
 * supported by bpfvm" / "... is not implemented yet"). Then the checks that need every program
 * prepared cannot be made: this prints "NOT CHECKED <test>: <what>: <why>"
 * so that the gap is visible in the test's output, never silent. */
bool loader_type_missing(const char *test, int err, const char *what);

#endif
