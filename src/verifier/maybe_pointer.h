/* Which registers may hold a pointer before each instruction: a forward
 * may-analysis over the program, for the static precision (precision.c),
 * which needs to know where a register add may be pointer arithmetic.
 *
 * A pointer comes only from r1 and r10 at the program's entry (any
 * register at a subprogram's or callback's entry), lddw of a map, map value
 * or function, a load (a spilled pointer, a context field), a call (r0;
 * r1..r5 are clobbered), an atomic fetch, and a 64-bit move or add or
 * subtract of a register that may hold one. Every other operation gives a
 * scalar, or is refused on a pointer by the exploration (types_alu.c: 32-bit
 * and bitwise arithmetic on pointers, partial copies). The answer is an
 * over-approximation of what the exploration will find: a register left out
 * is a scalar on every path. */
#ifndef BPFVM_VERIFIER_MAYBE_POINTER_H
#define BPFVM_VERIFIER_MAYBE_POINTER_H

#include <stdint.h>

#include "engine/prog.h"

/* Fills pointers[i] (bit r: register r, r10 included) for every
 * instruction i of a program that passed the structural check; pointers
 * has insn_cnt zeroed entries. Unreachable instructions keep 0. */
void verifier_maybe_pointers(const struct bpfvm_prog *prog, uint16_t *pointers);

#endif
