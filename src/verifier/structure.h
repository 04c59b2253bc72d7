/* The structural check of a program (see structure.c). */
#ifndef BPFVM_VERIFIER_STRUCTURE_H
#define BPFVM_VERIFIER_STRUCTURE_H

#include "engine/prog.h"

/* Checks prog->insns and fills prog->subprogs. Returns 0, or -EINVAL/-E2BIG
 * with a message naming the instruction, or -ENOMEM. */
int verifier_check_structure(struct bpfvm_prog *prog);

/* The call chains from the main program against the kernel's limits (8
 * frames, 512 bytes of stack, the tail-call stack rule) with the current
 * stack depths; sets prog->frames_max and prog->stack_max. */
int verifier_check_call_graph(struct bpfvm_prog *prog);

/* Whether the subprogram has a bpf_tail_call in its own instructions. */
bool verifier_subprog_has_tail_call(const struct bpfvm_prog *prog, const struct subprog *sub);

#endif
