/* Which scalar values can make a difference to the proof (see precision.c). */
#ifndef BPFVM_VERIFIER_PRECISION_H
#define BPFVM_VERIFIER_PRECISION_H

#include <stdint.h>

#include "engine/prog.h"

/* Per instruction, the registers r0..r9 (bit r) and the stack slots of its
 * frame (bit i: fp-8(i+1) .. fp-8i-1) whose scalar value some path from
 * the instruction may use where the value matters: a conditional jump, an
 * operand of pointer arithmetic, a helper argument, r0 at an exit. Both
 * arrays malloc'ed; 0 or -ENOMEM. The program must have passed the
 * structural check. */
int verifier_precision(const struct bpfvm_prog *prog, uint16_t **regs, uint64_t **slots);

#endif
