/* Tristate numbers, as the kernel's kernel/bpf/tnum.c: a 64-bit value whose
 * bits are each known 0, known 1 or unknown.
 *
 *   value: the known 1 bits      mask: the unknown bits      (value & mask) == 0
 *
 * The verifier keeps one per register for the bits of a scalar or of the
 * variable part of a pointer's offset. Every operation is sound: the result
 * holds every value that the operation gives on values of its operands. The
 * "subreg" forms act on the low 32 bits (the w registers). */
#ifndef BPFVM_VERIFIER_TNUM_H
#define BPFVM_VERIFIER_TNUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tnum {
	uint64_t value;
	uint64_t mask;
};

static inline struct tnum tnum_const(uint64_t value)
{
	return (struct tnum){ .value = value, .mask = 0 };
}

static inline struct tnum tnum_unknown(void)
{
	return (struct tnum){ .value = 0, .mask = UINT64_MAX };
}

static inline bool tnum_is_const(struct tnum a)
{
	return a.mask == 0;
}

static inline bool tnum_is_unknown(struct tnum a)
{
	return a.mask == UINT64_MAX;
}

static inline bool tnum_equals(struct tnum a, struct tnum b)
{
	return a.value == b.value && a.mask == b.mask;
}

/* Whether the concrete value x is one of a's. */
static inline bool tnum_contains(struct tnum a, uint64_t x)
{
	return ((x ^ a.value) & ~a.mask) == 0;
}

/* The low `bits` bits unknown, the others zero (a zero-extended load). */
struct tnum tnum_unknown_bits(unsigned bits);
/* The smallest tnum holding every value of [min, max]. */
struct tnum tnum_range(uint64_t min, uint64_t max);

struct tnum tnum_add(struct tnum a, struct tnum b);
struct tnum tnum_sub(struct tnum a, struct tnum b);
struct tnum tnum_neg(struct tnum a);
struct tnum tnum_mul(struct tnum a, struct tnum b);
struct tnum tnum_and(struct tnum a, struct tnum b);
struct tnum tnum_or(struct tnum a, struct tnum b);
struct tnum tnum_xor(struct tnum a, struct tnum b);
struct tnum tnum_lshift(struct tnum a, uint8_t shift);
struct tnum tnum_rshift(struct tnum a, uint8_t shift);
/* Arithmetic shift right of a 32-bit (the result zero-extended) or 64-bit
 * value. */
struct tnum tnum_arshift(struct tnum a, uint8_t shift, uint8_t insn_bitness);
/* Byte swap of the low `bits` (16, 32, 64) bits, the others zero. */
struct tnum tnum_bswap(struct tnum a, unsigned bits);
/* The values both a and b hold (meaningless when they hold none: see
 * tnum_overlap). */
struct tnum tnum_intersect(struct tnum a, struct tnum b);
/* Whether a and b may hold a common value. */
bool tnum_overlap(struct tnum a, struct tnum b);
/* The low `size` bytes, zero-extended. */
struct tnum tnum_cast(struct tnum a, unsigned size);
/* The low `size` bytes, sign-extended to 64 bits. */
struct tnum tnum_sext(struct tnum a, unsigned size);
/* Whether every value of a is a multiple of size (a power of two). */
bool tnum_is_aligned(struct tnum a, uint64_t size);
/* Whether every value of b is a value of a. */
bool tnum_in(struct tnum a, struct tnum b);

static inline struct tnum tnum_subreg(struct tnum a)
{
	return tnum_cast(a, 4);
}

static inline struct tnum tnum_clear_subreg(struct tnum a)
{
	return tnum_lshift(tnum_rshift(a, 32), 32);
}

/* The high 32 bits of reg, the low 32 of subreg. */
static inline struct tnum tnum_with_subreg(struct tnum reg, struct tnum subreg)
{
	return tnum_or(tnum_clear_subreg(reg), tnum_subreg(subreg));
}

static inline bool tnum_subreg_is_const(struct tnum a)
{
	return tnum_subreg(a).mask == 0;
}

/* "(0x0; 0xffffffff)", as the kernel prints var_off. */
void tnum_format(char *buf, size_t size, struct tnum a);

#endif
