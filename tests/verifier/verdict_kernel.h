/* Verdicts of bpfvm's verifier and of the running kernel's on one program in
 * assembler text, with the maps it names (map[idx:N]) created on both sides:
 * for the tests that compare the two (helper arguments, return values,
 * references).
 *
 * The kernel's reason is its log line before "processed N insns" (log level
 * 1); bpfvm's is its message after "<prog>: insn <n>: ". */
#ifndef BPFVM_TESTS_VERDICT_KERNEL_H
#define BPFVM_TESTS_VERDICT_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#include "bpfvm/bpfvm.h"

#define VERDICT_MAX_MAPS 4

struct verdict_map {
	uint32_t type; /* 0: no map */
	uint32_t key_size, value_size, max_entries, map_flags;
	/* Frozen after element 0 is set to this string (read-only data). */
	const char *rodata;
	/* The value is struct { struct bpf_spin_lock lock; int x; } (value_size
	 * 8), described by BTF for the kernel. */
	bool spin_lock;
};

/* A map of `type` with these sizes. */
#define VERDICT_MAP(type_, key, value, entries)                                                \
	{ .type = (type_), .key_size = (key), .value_size = (value), .max_entries = (entries) }

struct verdict_case {
	const char *name;
	enum bpf_prog_type type;	   /* 0: sched_cls */
	enum bpf_attach_type attach_type;
	uint32_t prog_flags;		   /* BPF_F_STRICT_ALIGNMENT, ... */
	struct verdict_map maps[VERDICT_MAX_MAPS];
	const char *text;
	/* NULL: accepted; else the start of the reason (the kernel's words). */
	const char *reason;
	/* Why the kernel cannot load it as is (callbacks need BTF func_info):
	 * bpfvm's verdict alone is checked. */
	const char *kernel_skip;
	/* The part of the verifier this case waits for ("B memory"): until it
	 * is merged, bpfvm's differing verdict is reported, not counted. */
	const char *pending;
};

/* The reason in a verifier log: the line before its last "processed N
 * insns" (or its last line). Returns buf. */
const char *verdict_log_reason(const char *log, char *buf, size_t size);

/* Whether bpf() can load programs here. */
bool verdict_kernel_usable(void);

/* The kernel's reason (NULL: accepted) into buf; false if a map could not be
 * created. */
bool verdict_kernel(const struct verdict_case *c, const struct bpf_insn *insns, size_t cnt,
		    const char **reason, char *buf, size_t size);

/* bpfvm's reason (NULL: accepted) into buf. */
void verdict_bpfvm(struct bpfvm *vm, const struct verdict_case *c, const struct bpf_insn *insns,
		   size_t cnt, const char **reason, char *buf, size_t size);

/* Runs every case: bpfvm's verdict against c->reason, and when the kernel
 * is usable, the kernel's against it too (so that the expected reasons stay
 * the kernel's). Returns the number of failed cases. */
unsigned verdict_run_cases(struct bpfvm *vm, const struct verdict_case *cases, size_t cnt);

#endif
