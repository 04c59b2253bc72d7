/* Tristate number arithmetic (see tnum.h), after the kernel's tnum.c. */
#include <inttypes.h>
#include <stdio.h>

#include "verifier/tnum.h"

#define TNUM(v, m) ((struct tnum){ .value = (v), .mask = (m) })

struct tnum tnum_unknown_bits(unsigned bits)
{
	if (bits >= 64)
		return tnum_unknown();
	return TNUM(0, (1ull << bits) - 1);
}

struct tnum tnum_range(uint64_t min, uint64_t max)
{
	uint64_t chi = min ^ max, delta;
	unsigned bits = chi ? 64 - (unsigned)__builtin_clzll(chi) : 0;

	if (bits > 63) /* 1 << 64 is undefined */
		return tnum_unknown();
	delta = (1ull << bits) - 1;
	return TNUM(min & ~delta, delta);
}

struct tnum tnum_add(struct tnum a, struct tnum b)
{
	uint64_t sm = a.mask + b.mask;
	uint64_t sv = a.value + b.value;
	uint64_t sigma = sm + sv;
	uint64_t chi = sigma ^ sv;
	uint64_t mu = chi | a.mask | b.mask;

	return TNUM(sv & ~mu, mu);
}

struct tnum tnum_sub(struct tnum a, struct tnum b)
{
	uint64_t dv = a.value - b.value;
	uint64_t alpha = dv + a.mask;
	uint64_t beta = dv - b.mask;
	uint64_t chi = alpha ^ beta;
	uint64_t mu = chi | a.mask | b.mask;

	return TNUM(dv & ~mu, mu);
}

struct tnum tnum_neg(struct tnum a)
{
	return tnum_sub(tnum_const(0), a);
}

/* Long multiplication: each bit of a that may be 1 adds a shifted b; the
 * known products go to acc_v, the uncertainty to acc_m. */
struct tnum tnum_mul(struct tnum a, struct tnum b)
{
	uint64_t acc_v = a.value * b.value;
	struct tnum acc_m = TNUM(0, 0);

	while (a.value || a.mask) {
		if (a.value & 1) /* a certain 1: b's unknown bits */
			acc_m = tnum_add(acc_m, TNUM(0, b.mask));
		else if (a.mask & 1) /* maybe 1: any bit of b that may be 1 */
			acc_m = tnum_add(acc_m, TNUM(0, b.value | b.mask));
		a = tnum_rshift(a, 1);
		b = tnum_lshift(b, 1);
	}
	return tnum_add(TNUM(acc_v, 0), acc_m);
}

struct tnum tnum_and(struct tnum a, struct tnum b)
{
	uint64_t alpha = a.value | a.mask, beta = b.value | b.mask, v = a.value & b.value;

	return TNUM(v, alpha & beta & ~v);
}

struct tnum tnum_or(struct tnum a, struct tnum b)
{
	uint64_t v = a.value | b.value, mu = a.mask | b.mask;

	return TNUM(v, mu & ~v);
}

struct tnum tnum_xor(struct tnum a, struct tnum b)
{
	uint64_t v = a.value ^ b.value, mu = a.mask | b.mask;

	return TNUM(v & ~mu, mu);
}

struct tnum tnum_lshift(struct tnum a, uint8_t shift)
{
	shift &= 63;
	return TNUM(a.value << shift, a.mask << shift);
}

struct tnum tnum_rshift(struct tnum a, uint8_t shift)
{
	shift &= 63;
	return TNUM(a.value >> shift, a.mask >> shift);
}

struct tnum tnum_arshift(struct tnum a, uint8_t shift, uint8_t insn_bitness)
{
	/* The sign bit, known or not, fills the top: known 1s stay in value,
	 * an unknown sign spreads into mask. */
	if (insn_bitness == 32) {
		shift &= 31;
		return TNUM((uint32_t)((int32_t)(uint32_t)a.value >> shift),
			    (uint32_t)((int32_t)(uint32_t)a.mask >> shift));
	}
	shift &= 63;
	return TNUM((uint64_t)((int64_t)a.value >> shift), (uint64_t)((int64_t)a.mask >> shift));
}

static uint64_t bswap_bits(uint64_t x, unsigned bits)
{
	switch (bits) {
	case 16: return __builtin_bswap16((uint16_t)x);
	case 32: return __builtin_bswap32((uint32_t)x);
	default: return __builtin_bswap64(x);
	}
}

struct tnum tnum_bswap(struct tnum a, unsigned bits)
{
	return TNUM(bswap_bits(a.value, bits), bswap_bits(a.mask, bits));
}

struct tnum tnum_intersect(struct tnum a, struct tnum b)
{
	uint64_t v = a.value | b.value, mu = a.mask & b.mask;

	return TNUM(v & ~mu, mu);
}

bool tnum_overlap(struct tnum a, struct tnum b)
{
	uint64_t known = ~a.mask & ~b.mask;

	return (a.value & known) == (b.value & known);
}

struct tnum tnum_cast(struct tnum a, unsigned size)
{
	if (size >= 8)
		return a;
	a.value &= (1ull << (size * 8)) - 1;
	a.mask &= (1ull << (size * 8)) - 1;
	return a;
}

struct tnum tnum_sext(struct tnum a, unsigned size)
{
	unsigned shift = 64 - size * 8;

	if (size >= 8)
		return a;
	/* An unknown sign bit makes every bit above it unknown. */
	return TNUM((uint64_t)((int64_t)(a.value << shift) >> shift),
		    (uint64_t)((int64_t)(a.mask << shift) >> shift));
}

bool tnum_is_aligned(struct tnum a, uint64_t size)
{
	if (!size)
		return true;
	return !((a.value | a.mask) & (size - 1));
}

bool tnum_in(struct tnum a, struct tnum b)
{
	if (b.mask & ~a.mask)
		return false;
	b.value &= ~a.mask;
	return a.value == b.value;
}

void tnum_format(char *buf, size_t size, struct tnum a)
{
	snprintf(buf, size, "(0x%" PRIx64 "; 0x%" PRIx64 ")", a.value, a.mask);
}
