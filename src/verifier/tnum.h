/* Tristate numbers, as the kernel's kernel/bpf/tnum.c: a 64-bit value whose
 * bits are each known 0, known 1 or unknown.
 *
 *   value: the known 1 bits      mask: the unknown bits      (value & mask) == 0
 *
 * The verifier keeps one per register for the bits of a scalar or of the
 * variable part of a pointer's offset. */
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

static inline bool tnum_equals(struct tnum a, struct tnum b)
{
	return a.value == b.value && a.mask == b.mask;
}

/* The low `bits` bits unknown, the others zero (a zero-extended load). */
struct tnum tnum_unknown_bits(unsigned bits);
struct tnum tnum_add(struct tnum a, struct tnum b);
struct tnum tnum_sub(struct tnum a, struct tnum b);
/* Whether every value of b is a value of a. */
bool tnum_in(struct tnum a, struct tnum b);
/* "(0x0; 0xffffffff)", as the kernel prints var_off. */
void tnum_format(char *buf, size_t size, struct tnum a);

#endif
