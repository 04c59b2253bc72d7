/* Tristate number arithmetic (see tnum.h), after the kernel's tnum.c. */
#include <inttypes.h>
#include <stdio.h>

#include "verifier/tnum.h"

struct tnum tnum_unknown_bits(unsigned bits)
{
	if (bits >= 64)
		return tnum_unknown();
	return (struct tnum){ .value = 0, .mask = (1ull << bits) - 1 };
}

struct tnum tnum_add(struct tnum a, struct tnum b)
{
	uint64_t sm = a.mask + b.mask;
	uint64_t sv = a.value + b.value;
	uint64_t sigma = sm + sv;
	uint64_t chi = sigma ^ sv;
	uint64_t mu = chi | a.mask | b.mask;

	return (struct tnum){ .value = sv & ~mu, .mask = mu };
}

struct tnum tnum_sub(struct tnum a, struct tnum b)
{
	uint64_t dv = a.value - b.value;
	uint64_t alpha = dv + a.mask;
	uint64_t beta = dv - b.mask;
	uint64_t chi = alpha ^ beta;
	uint64_t mu = chi | a.mask | b.mask;

	return (struct tnum){ .value = dv & ~mu, .mask = mu };
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
