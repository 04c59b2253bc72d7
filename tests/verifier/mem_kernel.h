/* The memory-bounds tests' bench: a program in assembler text, of some
 * program type, with at most one array map, verified by bpfvm and (when
 * bpf() is usable) by the running kernel, whose verdicts and reasons are
 * compared with the one the case expects.
 *
 * A reason may have several lines (the kernel's "invalid access to packet,
 * ..." then "R2 offset is outside of the packet"): the kernel's log must end
 * with them, just before "processed N insns", and bpfvm's message (after
 * "<prog>: insn <n>: ") must start with them. */
#ifndef BPFVM_TESTS_VERIFIER_MEM_KERNEL_H
#define BPFVM_TESTS_VERIFIER_MEM_KERNEL_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/bpf.h>

enum mem_case_map {
	MEM_MAP_NONE = 0,
	MEM_MAP_ARRAY,	     /* key 4, value `value_size`, 1 entry: map[idx:0] */
	MEM_MAP_RDONLY_PROG, /* the same, BPF_F_RDONLY_PROG and frozen (.rodata) */
	MEM_MAP_RINGBUF,     /* a ring buffer of 4096 bytes */
};

struct mem_case {
	const char *name;
	enum bpf_prog_type type; /* 0: sched_cls */
	enum mem_case_map map;
	uint32_t value_size;
	const char *text;
	const char *reason; /* NULL: both accept */
	/* The part of the verifier that bpfvm needs to decide this case, when
	 * it is not merged yet (WAITS_SCALAR, WAITS_HELPERS): bpfvm's outcome
	 * is printed, not counted, until it agrees. The kernel's is checked. */
	const char *waits_for;
};

/* Runs every case (those whose name contains argv[1] if given, printing
 * both logs) and returns the process exit code. */
int mem_kernel_run(const struct mem_case *cases, unsigned count, int argc, char **argv);

#define WAITS_SCALAR "scalar ranges (wip/scalar)"
#define WAITS_HELPERS "helper argument checks (wip/helpers)"

#endif
