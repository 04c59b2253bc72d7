/* What the progtypes tests share: loading one assembled program into the
 * running kernel and into bpfvm, and running BPF_PROG_TEST_RUN in both with
 * the same input, so that results can be compared field by field.
 *
 * bpfvm side: prog_prepare() when the type tracking can rewrite context
 * accesses; until then (it answers -ENOTSUP) a stand-in that rewrites every
 * memory access based on r6, which the test programs reserve for the
 * context (they start with "r6 = r1" and never change r6). */
#ifndef BPFVM_TESTS_PROGTYPES_KERNEL_ORACLE_H
#define BPFVM_TESTS_PROGTYPES_KERNEL_ORACLE_H

#include <stdbool.h>
#include <stdint.h>

#include "bpfvm/bpfvm.h"

#define ORACLE_SKIP 77
#define ORACLE_OUT_MAX 4096

/* What one test run gives back. */
struct oracle_result {
	int err; /* 0 or -errno (load failures are reported, not stored) */
	uint32_t retval;
	uint32_t data_size_out;
	uint32_t ctx_size_out;
	uint8_t data_out[ORACLE_OUT_MAX];
	uint8_t ctx_out[256];
};

/* One run: a program and its input. */
struct oracle_case {
	const char *name;
	enum bpf_prog_type type;
	enum bpf_attach_type attach;
	const char *text; /* assembler text */
	const void *data_in;
	uint32_t data_size_in;
	const void *ctx_in;
	uint32_t ctx_size_in;
	bool want_ctx_out;
	uint32_t ctx_size_out; /* capacity; 0 = the ctx_in size */
	uint32_t data_size_out; /* capacity; 0 = ORACLE_OUT_MAX */
	uint32_t flags;
	uint32_t cpu;
	int repeat;
};

/* Whether bpf() works here; prints the reason when not. */
bool oracle_kernel_usable(void);

/* A bpfvm runtime with the packet helpers registered. */
struct bpfvm *oracle_vm(void);

/* Loads the text as `type` into the kernel: fd, or -errno (the verifier's
 * last log line in `why`, when given). */
int oracle_kernel_load(enum bpf_prog_type type, enum bpf_attach_type attach, const char *text,
		       char *why, size_t why_size);

/* The same with BPF_PROG_LOAD's prog_flags (BPF_F_SLEEPABLE, ...). */
int oracle_kernel_load_flags(enum bpf_prog_type type, enum bpf_attach_type attach,
			     uint32_t prog_flags, const char *text, char *why, size_t why_size);

/* Loads into bpfvm: 0 and *prog_out, or -errno. */
int oracle_bpfvm_load(struct bpfvm *vm, enum bpf_prog_type type, enum bpf_attach_type attach,
		      const char *text, struct bpfvm_prog **prog_out);

/* Runs a case in the kernel / in bpfvm. Returns 0, or -1 when the program
 * did not load (reported as a failed check). */
int oracle_run_kernel(const struct oracle_case *c, struct oracle_result *res);
int oracle_run_bpfvm(struct bpfvm *vm, const struct oracle_case *c, struct oracle_result *res);

/* Compares two results field by field; counts a check and prints what
 * differed. */
void oracle_compare(const struct oracle_case *c, const struct oracle_result *kernel,
		    const struct oracle_result *vm);

#endif
