/* The scalar domain of the verifier, as the kernel's: a scalar is a tnum
 * (which bits are known) plus four ranges (unsigned and signed, 64 and 32
 * bits) that each hold every value it may take. The functions below are
 * pure: they transform struct reg_state values and never fail, so that a
 * test can check each against concrete values (tests/verifier/
 * test_scalar_soundness.c).
 *
 *   ALU          scalar_alu, scalar_neg, scalar_end, scalar_movsx  (scalar_alu.c)
 *   loads        scalar_coerce_load                                (scalar_alu.c)
 *   branches     scalar_branch_taken, scalar_refine                (scalar_branch.c)
 *   copies       scalar_link_before_copy, scalar_sync_linked       (scalar.c)
 *
 * Every result has been through scalar_bounds_sync: the five views agree
 * as far as they can teach each other. 32-bit ALU results are zero-extended
 * into the 64-bit register, as the ISA says. */
#ifndef BPFVM_VERIFIER_SCALAR_H
#define BPFVM_VERIFIER_SCALAR_H

#include <stdbool.h>
#include <stdint.h>

#include "verifier/reg_state.h"

/* Scalar ids link copies (r1 = r2, spills): what a branch learns of one
 * copy, its copies learn too. An id with SCALAR_ID_ADD_CONST marks a copy
 * that has since had the constant `off` added (r1 = r2; r1 += 4), as the
 * kernel's BPF_ADD_CONST; its value is the original's plus off. */
#define SCALAR_ID_ADD_CONST (1u << 31)

/* The kernel's reg_bounds_sync: tnum -> ranges, ranges -> each other
 * (incl. 32 <-> 64 bits), ranges -> tnum. */
void scalar_bounds_sync(struct reg_state *reg);
/* All four ranges unbounded; the tnum stays (sync then rebuilds them). */
void scalar_mark_unbounded(struct reg_state *reg);
/* Whether the views contradict each other: no value can be this scalar
 * (a branch that cannot be taken). */
bool scalar_is_empty(const struct reg_state *reg);
/* Whether the concrete value x is one the scalar may take. */
bool scalar_contains(const struct reg_state *reg, uint64_t x);

/* The concrete semantics (RFC 9669): dst op src on 64 bits, or on the low
 * 32 bits zero-extended; division by zero gives 0, modulo by zero leaves
 * dst; shift counts are taken modulo the width; is_signed: sdiv/smod. */
uint64_t scalar_fold(uint8_t op, bool is64, bool is_signed, uint64_t dst, uint64_t src);

/* dst = dst op src for a binary ALU op (BPF_ADD ... BPF_ARSH, not MOV),
 * 64-bit (is64) or 32-bit. src may be dst. */
void scalar_alu(struct reg_state *dst, const struct reg_state *src, uint8_t op, bool is64,
		bool is_signed);
void scalar_neg(struct reg_state *dst, bool is64);
/* BPF_END: bswap (ALU64) or to_be (to big-endian) of the low `bits` bits,
 * else to little-endian (a truncation on bpfvm's little-endian hosts). */
void scalar_end(struct reg_state *dst, bool bswap, unsigned bits);
/* dst = (s8/s16/s32) src (movsx, `bits` 8, 16, 32), 64-bit or 32-bit
 * (the sign-extended low 32 bits, zero-extended). */
void scalar_movsx(struct reg_state *dst, const struct reg_state *src, unsigned bits, bool is64);
/* w = w: the low 32 bits, zero-extended (zext_32_to_64). */
void scalar_zext32(struct reg_state *reg);

/* A scalar loaded with a narrow access: reg holds what the memory may hold
 * (for instance a spilled scalar, or unknown), and becomes what a `size`-byte
 * load of it gives, zero-extended or, for BPF_MEMSX, sign-extended (the
 * kernel's coerce_reg_to_size and coerce_reg_to_size_sx). size 8 leaves it
 * as it is. Used by types_mem.c and types_stack.c for load results. */
void scalar_coerce_load(struct reg_state *reg, unsigned size, bool sign_extend);

/* Whether `a op b` (a conditional jump's BPF_JEQ ... BPF_JSLE) holds for
 * every value (1), for none (0), or it depends (-1); is32: BPF_JMP32. */
int scalar_branch_taken(const struct reg_state *a, const struct reg_state *b, uint8_t op,
			bool is32);
/* Narrows a and b to the values for which `a op b` is `taken` (the
 * kernel's regs_refine_cond_op + reg_bounds_sync). false if no value is
 * left: that side of the branch is dead. a and b must be distinct. */
bool scalar_refine(struct reg_state *a, struct reg_state *b, uint8_t op, bool is32, bool taken);

/* Before a copy of scalar src (mov, spill): gives it an id from *id_gen
 * if it has none, so that the copy shares it (constants need none). A
 * copy of a copy with a constant added starts a new link. */
void scalar_link_before_copy(struct reg_state *src, uint32_t *id_gen);
/* After known (a register or spill of st) was refined: every other scalar
 * of st with its id, in every frame and spill slot, becomes known again
 * (plus or minus the constant between them). */
void scalar_sync_linked(struct verifier_state *st, const struct reg_state *known);

#endif
