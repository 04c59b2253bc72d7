/* Stack depth of each subprogram (see stack_depth.c). */
#ifndef BPFVM_VERIFIER_STACK_DEPTH_H
#define BPFVM_VERIFIER_STACK_DEPTH_H

#include "engine/prog.h"

/* Fills prog->subprogs[i].stack_depth. Returns 0 or -ENOMEM. */
int verifier_compute_stack_depths(struct bpfvm_prog *prog);

#endif
