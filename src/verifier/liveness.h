/* Which registers each instruction may still read (see liveness.c). */
#ifndef BPFVM_VERIFIER_LIVENESS_H
#define BPFVM_VERIFIER_LIVENESS_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/prog.h"

/* Bit r of a mask: register r. */
#define LIVE_REG(r) ((uint16_t)(1u << (r)))
#define LIVE_ARGS (LIVE_REG(1) | LIVE_REG(2) | LIVE_REG(3) | LIVE_REG(4) | LIVE_REG(5))
#define LIVE_CALLER_SAVED (LIVE_REG(0) | LIVE_ARGS)

/* Per instruction, the registers r0..r9 that some path from it may read
 * before writing them (live-in). malloc'ed, NULL on ENOMEM. The program
 * must have passed the structural check. */
uint16_t *verifier_reg_liveness(const struct bpfvm_prog *prog);

/* Per instruction, the slots of its frame's stack (bit i: fp-8(i+1) ..
 * fp-8i-1) that some path from it may read before overwriting them whole.
 * In a subprogram whose frame pointer escapes (copied, moved, passed), every
 * slot is live everywhere. malloc'ed, NULL on ENOMEM. */
uint64_t *verifier_stack_liveness(const struct bpfvm_prog *prog);

/* Whether the subprogram uses r10 other than as the base of its own loads
 * and stores (copied, moved, compared, passed): its slots may then be
 * reached through other registers, from anywhere. */
bool verifier_frame_escapes(const struct bpfvm_prog *prog, const struct subprog *sub);

/* The slots (bit i: fp-8(i+1) .. fp-8i-1) that `size` bytes at fp+off touch. */
uint64_t verifier_slots_of(int32_t off, uint32_t size);

#endif
