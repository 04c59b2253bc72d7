/* The structural check of a program (see structure.c). */
#ifndef BPFVM_VERIFIER_STRUCTURE_H
#define BPFVM_VERIFIER_STRUCTURE_H

#include "engine/prog.h"

/* Checks prog->insns and fills prog->subprogs. Returns 0, or -EINVAL/-E2BIG
 * with a message naming the instruction, or -ENOMEM. */
int verifier_check_structure(struct bpfvm_prog *prog);

#endif
