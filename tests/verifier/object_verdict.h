/* Verdicts on one program of a BPF object file, loaded alone: by the
 * running kernel through libbpf and by bpfvm (the tests whose programs are
 * C compiled by clang, with kernel types reached through CO-RE). */
#ifndef BPFVM_TESTS_OBJECT_VERDICT_H
#define BPFVM_TESTS_OBJECT_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "bpfvm/bpfvm.h"

/* The kernel's verdict on program `name` of the object at path: -1 when it
 * could not be asked (buf says why), 0 accepted, 1 refused (buf holds its
 * log line before "processed N insns"). */
int object_verdict_kernel(const char *path, const char *name, char *buf, size_t size);

/* bpfvm's: NULL accepted, else its message in buf (returned). */
const char *object_verdict_bpfvm(struct bpfvm *vm, const char *path, const char *name, char *buf,
				 size_t size);

/* Whether a verdict says what is wanted: both accepted, or refused with a
 * message that contains `want`. */
bool object_verdict_says(const char *want, const char *got);

/* One program of an object file and the verdict wanted. */
struct object_case {
	const char *prog;
	const char *reason; /* NULL: accepted; else the start of the kernel's words */
};

/* Checks every case with bpfvm and, when bpf() is usable, with the kernel
 * (so that the reasons stay the kernel's): testlib_check failures. */
void object_verdict_run(struct bpfvm *vm, const char *path, const struct object_case *cases,
			size_t cnt);

#endif
