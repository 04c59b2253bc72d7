/* The program object behind `struct bpfvm_prog`: the instructions as loaded,
 * the layout of their subprograms, and each engine's executable form. */
#ifndef BPFVM_ENGINE_PROG_H
#define BPFVM_ENGINE_PROG_H

#include <stdint.h>

#include "bpfvm/bpfvm.h"

struct interp_code;

/* A subprogram: the main program (index 0) or a function reached by a local
 * call. Subprograms are contiguous and sorted by start. */
struct subprog {
	uint32_t start;	      /* first instruction */
	uint32_t end;	      /* one past the last instruction */
	uint32_t stack_depth; /* bytes of stack its frame needs, multiple of 16 */
};

struct bpfvm_prog {
	struct bpfvm *vm;
	char *name;
	struct bpf_insn *insns;
	uint32_t insn_cnt;
	struct subprog *subprogs;
	uint32_t subprog_cnt;
	uint64_t insn_budget;
	struct interp_code *interp;
};

/* The subprogram that contains instruction `idx`. */
const struct subprog *prog_subprog_of(const struct bpfvm_prog *prog, uint32_t idx);

#endif
