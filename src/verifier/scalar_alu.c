/* ALU ops on scalars (the kernel's adjust_scalar_min_max_vals and its
 * scalar{32,}_min_max_* functions, coerce_reg_to_size{,_sx}): each op gives
 * every view it can compute from its operands' views, then sync. bpfvm
 * also tracks what the kernel gives up on (division, modulo, byte swaps):
 * more programs verify, none less safely. */
#include <string.h>

#include "verifier/scalar_internal.h"

/* ---- concrete semantics --------------------------------------------- */

static int64_t signed_div64(int64_t a, int64_t b, bool mod)
{
	if (b == -1) /* INT64_MIN / -1 overflows in C; BPF wraps */
		return mod ? 0 : (int64_t)(0 - (uint64_t)a);
	return mod ? a % b : a / b;
}

static int32_t signed_div32(int32_t a, int32_t b, bool mod)
{
	if (b == -1)
		return mod ? 0 : (int32_t)(0 - (uint32_t)a);
	return mod ? a % b : a / b;
}

static uint64_t fold64(uint8_t op, bool is_signed, uint64_t a, uint64_t b)
{
	switch (op) {
	case BPF_ADD: return a + b;
	case BPF_SUB: return a - b;
	case BPF_MUL: return a * b;
	case BPF_OR: return a | b;
	case BPF_AND: return a & b;
	case BPF_XOR: return a ^ b;
	case BPF_LSH: return a << (b & 63);
	case BPF_RSH: return a >> (b & 63);
	case BPF_ARSH: return (uint64_t)((int64_t)a >> (b & 63));
	case BPF_DIV:
		if (!b)
			return 0;
		return is_signed ? (uint64_t)signed_div64((int64_t)a, (int64_t)b, false) : a / b;
	case BPF_MOD:
		if (!b)
			return a;
		return is_signed ? (uint64_t)signed_div64((int64_t)a, (int64_t)b, true) : a % b;
	default: return b; /* BPF_MOV */
	}
}

static uint32_t fold32(uint8_t op, bool is_signed, uint32_t a, uint32_t b)
{
	switch (op) {
	case BPF_LSH: return a << (b & 31);
	case BPF_RSH: return a >> (b & 31);
	case BPF_ARSH: return (uint32_t)((int32_t)a >> (b & 31));
	case BPF_DIV:
		if (!b)
			return 0;
		return is_signed ? (uint32_t)signed_div32((int32_t)a, (int32_t)b, false) : a / b;
	case BPF_MOD:
		if (!b)
			return a;
		return is_signed ? (uint32_t)signed_div32((int32_t)a, (int32_t)b, true) : a % b;
	default:
		return (uint32_t)fold64(op, false, a, b);
	}
}

uint64_t scalar_fold(uint8_t op, bool is64, bool is_signed, uint64_t dst, uint64_t src)
{
	return is64 ? fold64(op, is_signed, dst, src) : fold32(op, is_signed, (uint32_t)dst,
								  (uint32_t)src);
}

/* ---- ALU: the ranges of each op ------------------------------------------ */

/* One width's signed and unsigned ranges in 64-bit numbers: the 64-bit
 * views, or the 32-bit ones (is64 false), extended. The range arithmetic
 * below works on either width. */
struct ranges {
	int64_t smin, smax;
	uint64_t umin, umax;
};

static struct ranges ranges_of(const struct reg_state *reg, bool is64)
{
	if (is64)
		return (struct ranges){ reg->smin, reg->smax, reg->umin, reg->umax };
	return (struct ranges){ reg->s32_min, reg->s32_max, reg->u32_min, reg->u32_max };
}

static void ranges_set(struct reg_state *reg, bool is64, struct ranges r)
{
	if (is64) {
		reg->smin = r.smin, reg->smax = r.smax, reg->umin = r.umin, reg->umax = r.umax;
		return;
	}
	reg->s32_min = (int32_t)r.smin, reg->s32_max = (int32_t)r.smax;
	reg->u32_min = (uint32_t)r.umin, reg->u32_max = (uint32_t)r.umax;
}

static void unbounded_signed(struct ranges *r, bool is64)
{
	r->smin = is64 ? INT64_MIN : S32_MIN;
	r->smax = is64 ? INT64_MAX : S32_MAX;
}

static void unbounded_unsigned(struct ranges *r, bool is64)
{
	r->umin = 0;
	r->umax = is64 ? UINT64_MAX : U32_MAX;
}

/* The value of u's bits as a signed number of the width. */
static int64_t as_signed(uint64_t u, bool is64)
{
	return is64 ? (int64_t)u : (int32_t)(uint32_t)u;
}

/* a op b (add, sub, mul) at the width: true if it overflowed the signed
 * range. 32-bit operands never overflow the 64-bit arithmetic. */
static bool signed_arith(uint8_t op, int64_t a, int64_t b, bool is64, int64_t *res)
{
	bool overflow;

	if (op == BPF_ADD)
		overflow = __builtin_add_overflow(a, b, res);
	else if (op == BPF_SUB)
		overflow = __builtin_sub_overflow(a, b, res);
	else
		overflow = __builtin_mul_overflow(a, b, res);
	return overflow || (!is64 && (*res < S32_MIN || *res > S32_MAX));
}

/* The same, unsigned: true if it wrapped; *res is the wrapped result. */
static bool unsigned_arith(uint8_t op, uint64_t a, uint64_t b, bool is64, uint64_t *res)
{
	bool wraps;

	if (op == BPF_ADD)
		wraps = __builtin_add_overflow(a, b, res);
	else if (op == BPF_SUB)
		wraps = __builtin_sub_overflow(a, b, res);
	else
		wraps = __builtin_mul_overflow(a, b, res);
	if (is64)
		return wraps;
	wraps |= *res > U32_MAX;
	*res &= U32_MAX;
	return wraps;
}

/* add, sub: each bound from the operands' matching bounds. */
static struct ranges range_add_sub(uint8_t op, struct ranges a, struct ranges b, bool is64)
{
	bool sub = op == BPF_SUB, smin_ovf, smax_ovf, umin_wraps, umax_wraps;
	struct ranges r;

	smin_ovf = signed_arith(op, a.smin, sub ? b.smax : b.smin, is64, &r.smin);
	smax_ovf = signed_arith(op, a.smax, sub ? b.smin : b.smax, is64, &r.smax);
	umin_wraps = unsigned_arith(op, a.umin, sub ? b.umax : b.umin, is64, &r.umin);
	umax_wraps = unsigned_arith(op, a.umax, sub ? b.umin : b.umax, is64, &r.umax);
	if (smin_ovf || smax_ovf)
		unbounded_signed(&r, is64);
	/* Every result wraps once or none does: the range stays in one piece. */
	if (umin_wraps != umax_wraps)
		unbounded_unsigned(&r, is64);
	return r;
}

static struct ranges range_mul(struct ranges a, struct ranges b, bool is64)
{
	int64_t p[4];
	bool overflow = false;
	struct ranges r;

	if (unsigned_arith(BPF_MUL, a.umax, b.umax, is64, &r.umax))
		unbounded_unsigned(&r, is64);
	else
		r.umin = a.umin * b.umin;
	overflow |= signed_arith(BPF_MUL, a.smin, b.smin, is64, &p[0]);
	overflow |= signed_arith(BPF_MUL, a.smin, b.smax, is64, &p[1]);
	overflow |= signed_arith(BPF_MUL, a.smax, b.smin, is64, &p[2]);
	overflow |= signed_arith(BPF_MUL, a.smax, b.smax, is64, &p[3]);
	if (overflow) {
		unbounded_signed(&r, is64);
		return r;
	}
	r.smin = min_s64(min_s64(p[0], p[1]), min_s64(p[2], p[3]));
	r.smax = max_s64(max_s64(p[0], p[1]), max_s64(p[2], p[3]));
	return r;
}

/* The signed view of an unsigned range, when it does not cross the sign. */
static void signed_from_unsigned(struct ranges *r, bool is64)
{
	if (as_signed(r->umin, is64) <= as_signed(r->umax, is64)) {
		r->smin = as_signed(r->umin, is64);
		r->smax = as_signed(r->umax, is64);
	} else {
		unbounded_signed(r, is64);
	}
}

/* and, or, xor at the width; dst->var_off is already the result's tnum. */
static void bitwise(struct reg_state *dst, const struct reg_state *src, uint8_t op, bool is64)
{
	struct tnum t = is64 ? dst->var_off : tnum_subreg(dst->var_off);
	struct ranges r = ranges_of(dst, is64), b = ranges_of(src, is64);

	switch (op) {
	case BPF_AND: /* no more than either operand */
		r.umin = t.value;
		r.umax = min_u64(r.umax, b.umax);
		break;
	case BPF_OR: /* no less than either operand */
		r.umin = max_u64(r.umin, b.umin);
		r.umax = t.value | t.mask;
		break;
	default:
		r.umin = t.value;
		r.umax = t.value | t.mask;
		break;
	}
	signed_from_unsigned(&r, is64);
	ranges_set(dst, is64, r);
}

/* Shifts by a constant below the width (the others are unknown). */
static void shift64(struct reg_state *dst, uint8_t op, uint8_t s)
{
	switch (op) {
	case BPF_LSH:
		/* <<32 turns the s32 bounds into s64 ones (compilers sign-extend
		 * with <<32 s>>32); each bound kept where it is non-negative, as
		 * the kernel's __scalar64_min_max_lsh. */
		dst->smin = s == 32 && dst->s32_min >= 0 ?
				    (int64_t)((uint64_t)dst->s32_min << 32) : INT64_MIN;
		dst->smax = s == 32 && dst->s32_max >= 0 ?
				    (int64_t)((uint64_t)dst->s32_max << 32) : INT64_MAX;
		if (dst->umax > (1ull << (63 - s))) { /* the top bit may go out */
			dst->umin = 0;
			dst->umax = UINT64_MAX;
		} else {
			dst->umin <<= s;
			dst->umax <<= s;
		}
		dst->var_off = tnum_lshift(dst->var_off, s);
		break;
	case BPF_RSH:
		dst->smin = INT64_MIN;
		dst->smax = INT64_MAX;
		dst->umin >>= s;
		dst->umax >>= s;
		dst->var_off = tnum_rshift(dst->var_off, s);
		break;
	default: /* BPF_ARSH */
		dst->smin >>= s;
		dst->smax >>= s;
		dst->umin = 0;
		dst->umax = UINT64_MAX;
		dst->var_off = tnum_arshift(dst->var_off, s, 64);
		break;
	}
	scalar_mark_unbounded32(dst);
}

static void shift32(struct reg_state *dst, uint8_t op, uint8_t s)
{
	struct tnum t = tnum_subreg(dst->var_off);

	switch (op) {
	case BPF_LSH:
		dst->s32_min = S32_MIN;
		dst->s32_max = S32_MAX;
		if (dst->u32_max > (1u << (31 - s))) {
			dst->u32_min = 0;
			dst->u32_max = U32_MAX;
		} else {
			dst->u32_min <<= s;
			dst->u32_max <<= s;
		}
		t = tnum_subreg(tnum_lshift(t, s));
		break;
	case BPF_RSH:
		dst->s32_min = S32_MIN;
		dst->s32_max = S32_MAX;
		dst->u32_min >>= s;
		dst->u32_max >>= s;
		t = tnum_rshift(t, s);
		break;
	default:
		dst->s32_min >>= s;
		dst->s32_max >>= s;
		dst->u32_min = 0;
		dst->u32_max = U32_MAX;
		t = tnum_arshift(t, s, 32);
		break;
	}
	dst->var_off = t;
}

/* Unsigned division and modulo by a range (x / 0 = 0, x % 0 = x). */
static void udivmod(struct reg_state *dst, const struct reg_state *src, uint8_t op, bool is64)
{
	struct ranges r = ranges_of(dst, is64), b = ranges_of(src, is64);

	if (op == BPF_DIV) {
		r.umin = b.umin ? r.umin / b.umax : 0;
		r.umax = b.umin ? r.umax / b.umin : r.umax;
	} else {
		r.umin = 0;
		if (b.umin)
			r.umax = min_u64(r.umax, b.umax - 1);
	}
	signed_from_unsigned(&r, is64);
	ranges_set(dst, is64, r);
	dst->var_off = tnum_range(r.umin, r.umax);
	if (is64)
		scalar_mark_unbounded32(dst);
}

static void mark_unknown(struct reg_state *dst, bool is64)
{
	dst->var_off = is64 ? tnum_unknown() : tnum_unknown_bits(32);
	scalar_mark_unbounded(dst);
}

void scalar_zext32(struct reg_state *reg)
{
	reg->var_off = tnum_subreg(reg->var_off);
	reg->umin = reg->u32_min;
	reg->umax = reg->u32_max;
	if (reg->s32_min >= 0) { /* then s32_max >= 0 too, as a u32 */
		reg->smin = reg->s32_min;
		reg->smax = reg->s32_max;
	} else {
		reg->smin = 0;
		reg->smax = U32_MAX;
	}
	scalar_bounds_sync(reg);
}

/* A shift by a count that may be the width or more leaves its result
 * unknown, even a constant one, as in the kernel (is_safe_to_compute_dst_reg_range,
 * which looks at the whole register's umax for a 32-bit shift too): the
 * engines mask the count, but a program that relies on it is refused. */
static bool shift_oversized(uint8_t op, const struct reg_state *src, bool is64)
{
	return (op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) &&
	       src->umax >= (is64 ? 64u : 32u);
}

/* The ranges and tnum of dst op src; for a 32-bit op, of the low halves. */
static void alu_views(struct reg_state *dst, const struct reg_state *src, uint8_t op, bool is64,
		      bool is_signed)
{
	uint64_t count = is64 ? src->var_off.value : (uint32_t)src->var_off.value;

	switch (op) {
	case BPF_ADD: case BPF_SUB: case BPF_MUL:
		/* the low halves of the results depend on the low halves only */
		for (int wide = 0; wide <= is64; wide++) {
			struct ranges a = ranges_of(dst, wide), b = ranges_of(src, wide);

			ranges_set(dst, wide, op == BPF_MUL ? range_mul(a, b, wide)
							    : range_add_sub(op, a, b, wide));
		}
		dst->var_off = op == BPF_ADD ? tnum_add(dst->var_off, src->var_off) :
			       op == BPF_SUB ? tnum_sub(dst->var_off, src->var_off) :
					       tnum_mul(dst->var_off, src->var_off);
		break;
	case BPF_AND: case BPF_OR: case BPF_XOR:
		dst->var_off = op == BPF_AND ? tnum_and(dst->var_off, src->var_off) :
			       op == BPF_OR ? tnum_or(dst->var_off, src->var_off) :
					      tnum_xor(dst->var_off, src->var_off);
		for (int wide = 0; wide <= is64; wide++)
			bitwise(dst, src, op, wide);
		break;
	case BPF_LSH: case BPF_RSH: case BPF_ARSH:
		if (!scalar_is_const(src, is64) || shift_oversized(op, src, is64))
			mark_unknown(dst, is64);
		else if (is64)
			shift64(dst, op, (uint8_t)count);
		else
			shift32(dst, op, (uint8_t)count);
		break;
	default: /* BPF_DIV, BPF_MOD */
		if (is_signed)
			mark_unknown(dst, is64);
		else
			udivmod(dst, src, op, is64);
		break;
	}
}

void scalar_alu(struct reg_state *dst, const struct reg_state *src, uint8_t op, bool is64,
		bool is_signed)
{
	struct reg_state s = *src; /* src may be dst */

	if (scalar_is_const(dst, is64) && scalar_is_const(&s, is64) &&
	    !shift_oversized(op, &s, is64)) {
		uint64_t v = scalar_fold(op, is64, is_signed, dst->var_off.value, s.var_off.value);

		scalar_mark_known(dst, is64 ? v : (uint32_t)v);
		return;
	}
	alu_views(dst, &s, op, is64, is_signed);
	if (is64)
		scalar_bounds_sync(dst);
	else
		scalar_zext32(dst);
}

void scalar_neg(struct reg_state *dst, bool is64)
{
	struct reg_state zero;

	memset(&zero, 0, sizeof(zero));
	zero.type = REG_SCALAR;
	scalar_mark_known(&zero, 0);
	scalar_alu(&zero, dst, BPF_SUB, is64, false);
	zero.id = dst->id;
	zero.off = dst->off;
	*dst = zero;
}

/* A zero-extending truncation to `size` bytes (coerce_reg_to_size). */
static void coerce_zext(struct reg_state *reg, unsigned size)
{
	uint64_t mask = (1ull << (size * 8)) - 1;

	reg->var_off = tnum_cast(reg->var_off, size);
	if ((reg->umin & ~mask) == (reg->umax & ~mask)) {
		reg->umin &= mask;
		reg->umax &= mask;
	} else {
		reg->umin = 0;
		reg->umax = mask;
	}
	reg->smin = (int64_t)reg->umin;
	reg->smax = (int64_t)reg->umax;
	if (size < 4) /* the low 32 bits changed too */
		scalar_mark_unbounded32(reg);
	scalar_bounds_sync(reg);
}

static int64_t sext(uint64_t x, unsigned size)
{
	unsigned shift = 64 - size * 8;

	return (int64_t)(x << shift) >> shift;
}

/* A sign-extending truncation to `size` bytes (coerce_reg_to_size_sx). */
static void coerce_sext(struct reg_state *reg, unsigned size)
{
	unsigned bits = size * 8;
	int64_t lo = -(1ll << (bits - 1)), hi = (1ll << (bits - 1)) - 1;

	/* In one 2^bits window, on one side of its sign boundary, the low
	 * bits grow with the value: their sign extensions keep the order. */
	if (((uint64_t)reg->smin >> bits) == ((uint64_t)reg->smax >> bits) &&
	    (sext((uint64_t)reg->smin, size) < 0) == (sext((uint64_t)reg->smax, size) < 0)) {
		lo = sext((uint64_t)reg->smin, size);
		hi = sext((uint64_t)reg->smax, size);
	}
	reg->var_off = tnum_sext(reg->var_off, size);
	scalar_mark_unbounded32(reg);
	reg->umin = 0;
	reg->umax = UINT64_MAX;
	reg->smin = lo;
	reg->smax = hi;
	scalar_bounds_sync(reg);
}

void scalar_coerce_load(struct reg_state *reg, unsigned size, bool sign_extend)
{
	if (size >= 8)
		return;
	if (sign_extend)
		coerce_sext(reg, size);
	else
		coerce_zext(reg, size);
}

void scalar_movsx(struct reg_state *dst, const struct reg_state *src, unsigned bits, bool is64)
{
	uint32_t id = dst->id;

	*dst = *src;
	dst->id = id;
	coerce_sext(dst, bits / 8);
	if (!is64)
		scalar_zext32(dst);
}

void scalar_end(struct reg_state *dst, bool bswap, unsigned bits)
{
	if (!bswap) { /* to little-endian: the low bits, zero-extended */
		if (bits < 64)
			coerce_zext(dst, bits / 8);
		return;
	}
	dst->var_off = tnum_bswap(tnum_cast(dst->var_off, bits / 8), bits);
	scalar_mark_unbounded(dst);
	scalar_bounds_sync(dst);
}
