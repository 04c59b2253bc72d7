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

/* ---- ALU: the ranges of each op, 64 and 32 bits ----------------------- */

static void add64(struct reg_state *dst, const struct reg_state *src)
{
	int64_t smin, smax;
	uint64_t umin, umax;
	bool umin_wraps = __builtin_add_overflow(dst->umin, src->umin, &umin);
	bool umax_wraps = __builtin_add_overflow(dst->umax, src->umax, &umax);

	if (__builtin_add_overflow(dst->smin, src->smin, &smin) ||
	    __builtin_add_overflow(dst->smax, src->smax, &smax)) {
		smin = INT64_MIN;
		smax = INT64_MAX;
	}
	/* Every sum wraps once or none does: the range stays in one piece. */
	if (umin_wraps != umax_wraps) {
		umin = 0;
		umax = UINT64_MAX;
	}
	dst->smin = smin, dst->smax = smax, dst->umin = umin, dst->umax = umax;
}

static void add32(struct reg_state *dst, const struct reg_state *src)
{
	int32_t smin, smax;
	uint32_t umin, umax;
	bool umin_wraps = __builtin_add_overflow(dst->u32_min, src->u32_min, &umin);
	bool umax_wraps = __builtin_add_overflow(dst->u32_max, src->u32_max, &umax);

	if (__builtin_add_overflow(dst->s32_min, src->s32_min, &smin) ||
	    __builtin_add_overflow(dst->s32_max, src->s32_max, &smax)) {
		smin = S32_MIN;
		smax = S32_MAX;
	}
	if (umin_wraps != umax_wraps) {
		umin = 0;
		umax = U32_MAX;
	}
	dst->s32_min = smin, dst->s32_max = smax, dst->u32_min = umin, dst->u32_max = umax;
}

static void sub64(struct reg_state *dst, const struct reg_state *src)
{
	int64_t smin, smax;
	uint64_t umin, umax;
	bool umin_wraps = __builtin_sub_overflow(dst->umin, src->umax, &umin);
	bool umax_wraps = __builtin_sub_overflow(dst->umax, src->umin, &umax);

	if (__builtin_sub_overflow(dst->smin, src->smax, &smin) ||
	    __builtin_sub_overflow(dst->smax, src->smin, &smax)) {
		smin = INT64_MIN;
		smax = INT64_MAX;
	}
	if (umin_wraps != umax_wraps) {
		umin = 0;
		umax = UINT64_MAX;
	}
	dst->smin = smin, dst->smax = smax, dst->umin = umin, dst->umax = umax;
}

static void sub32(struct reg_state *dst, const struct reg_state *src)
{
	int32_t smin, smax;
	uint32_t umin, umax;
	bool umin_wraps = __builtin_sub_overflow(dst->u32_min, src->u32_max, &umin);
	bool umax_wraps = __builtin_sub_overflow(dst->u32_max, src->u32_min, &umax);

	if (__builtin_sub_overflow(dst->s32_min, src->s32_max, &smin) ||
	    __builtin_sub_overflow(dst->s32_max, src->s32_min, &smax)) {
		smin = S32_MIN;
		smax = S32_MAX;
	}
	if (umin_wraps != umax_wraps) {
		umin = 0;
		umax = U32_MAX;
	}
	dst->s32_min = smin, dst->s32_max = smax, dst->u32_min = umin, dst->u32_max = umax;
}

static void mul64(struct reg_state *dst, const struct reg_state *src)
{
	int64_t p[4];
	uint64_t umax;

	if (__builtin_mul_overflow(dst->umax, src->umax, &umax)) {
		dst->umin = 0;
		dst->umax = UINT64_MAX;
	} else {
		dst->umin *= src->umin;
		dst->umax = umax;
	}
	if (__builtin_mul_overflow(dst->smin, src->smin, &p[0]) ||
	    __builtin_mul_overflow(dst->smin, src->smax, &p[1]) ||
	    __builtin_mul_overflow(dst->smax, src->smin, &p[2]) ||
	    __builtin_mul_overflow(dst->smax, src->smax, &p[3])) {
		dst->smin = INT64_MIN;
		dst->smax = INT64_MAX;
		return;
	}
	dst->smin = min_s64(min_s64(p[0], p[1]), min_s64(p[2], p[3]));
	dst->smax = max_s64(max_s64(p[0], p[1]), max_s64(p[2], p[3]));
}

static void mul32(struct reg_state *dst, const struct reg_state *src)
{
	uint64_t umax = (uint64_t)dst->u32_max * src->u32_max;
	int64_t p[4] = {
		(int64_t)dst->s32_min * src->s32_min, (int64_t)dst->s32_min * src->s32_max,
		(int64_t)dst->s32_max * src->s32_min, (int64_t)dst->s32_max * src->s32_max,
	};
	int64_t lo = min_s64(min_s64(p[0], p[1]), min_s64(p[2], p[3]));
	int64_t hi = max_s64(max_s64(p[0], p[1]), max_s64(p[2], p[3]));

	if (umax > U32_MAX) {
		dst->u32_min = 0;
		dst->u32_max = U32_MAX;
	} else {
		dst->u32_min *= src->u32_min;
		dst->u32_max = (uint32_t)umax;
	}
	if (lo < S32_MIN || hi > S32_MAX) {
		dst->s32_min = S32_MIN;
		dst->s32_max = S32_MAX;
	} else {
		dst->s32_min = (int32_t)lo;
		dst->s32_max = (int32_t)hi;
	}
}

/* The signed view of an unsigned range, when it does not cross the sign. */
static void signed_from_unsigned64(struct reg_state *reg)
{
	if ((int64_t)reg->umin <= (int64_t)reg->umax) {
		reg->smin = (int64_t)reg->umin;
		reg->smax = (int64_t)reg->umax;
	} else {
		reg->smin = INT64_MIN;
		reg->smax = INT64_MAX;
	}
}

static void signed_from_unsigned32(struct reg_state *reg)
{
	if ((int32_t)reg->u32_min <= (int32_t)reg->u32_max) {
		reg->s32_min = (int32_t)reg->u32_min;
		reg->s32_max = (int32_t)reg->u32_max;
	} else {
		reg->s32_min = S32_MIN;
		reg->s32_max = S32_MAX;
	}
}

/* and, or, xor: dst->var_off is already the result's tnum. */
static void bitwise64(struct reg_state *dst, const struct reg_state *src, uint8_t op)
{
	struct tnum t = dst->var_off;

	switch (op) {
	case BPF_AND: /* no more than either operand */
		dst->umin = t.value;
		dst->umax = min_u64(dst->umax, src->umax);
		break;
	case BPF_OR: /* no less than either operand */
		dst->umin = max_u64(dst->umin, src->umin);
		dst->umax = t.value | t.mask;
		break;
	default:
		dst->umin = t.value;
		dst->umax = t.value | t.mask;
		break;
	}
	signed_from_unsigned64(dst);
}

static void bitwise32(struct reg_state *dst, const struct reg_state *src, uint8_t op)
{
	struct tnum t = tnum_subreg(dst->var_off);

	switch (op) {
	case BPF_AND:
		dst->u32_min = (uint32_t)t.value;
		dst->u32_max = min_u32(dst->u32_max, src->u32_max);
		break;
	case BPF_OR:
		dst->u32_min = max_u32(dst->u32_min, src->u32_min);
		dst->u32_max = (uint32_t)(t.value | t.mask);
		break;
	default:
		dst->u32_min = (uint32_t)t.value;
		dst->u32_max = (uint32_t)(t.value | t.mask);
		break;
	}
	signed_from_unsigned32(dst);
}

/* Shifts by a constant below the width (the others are unknown). */
static void shift64(struct reg_state *dst, uint8_t op, uint8_t s)
{
	switch (op) {
	case BPF_LSH:
		/* <<32 of a non-negative s32: compilers sign-extend with <<32 s>>32 */
		if (s == 32 && dst->s32_min >= 0) {
			dst->smin = (int64_t)((uint64_t)dst->s32_min << 32);
			dst->smax = (int64_t)((uint64_t)dst->s32_max << 32);
		} else {
			dst->smin = INT64_MIN;
			dst->smax = INT64_MAX;
		}
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
static void udivmod64(struct reg_state *dst, const struct reg_state *src, uint8_t op)
{
	if (op == BPF_DIV) {
		dst->umin = src->umin ? dst->umin / src->umax : 0;
		dst->umax = src->umin ? dst->umax / src->umin : dst->umax;
	} else {
		dst->umin = 0;
		if (src->umin)
			dst->umax = min_u64(dst->umax, src->umax - 1);
	}
	dst->var_off = tnum_range(dst->umin, dst->umax);
	signed_from_unsigned64(dst);
	scalar_mark_unbounded32(dst);
}

static void udivmod32(struct reg_state *dst, const struct reg_state *src, uint8_t op)
{
	if (op == BPF_DIV) {
		dst->u32_min = src->u32_min ? dst->u32_min / src->u32_max : 0;
		dst->u32_max = src->u32_min ? dst->u32_max / src->u32_min : dst->u32_max;
	} else {
		dst->u32_min = 0;
		if (src->u32_min)
			dst->u32_max = min_u32(dst->u32_max, src->u32_max - 1);
	}
	dst->var_off = tnum_range(dst->u32_min, dst->u32_max);
	signed_from_unsigned32(dst);
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

static void alu64(struct reg_state *dst, const struct reg_state *src, uint8_t op,
		  bool is_signed)
{
	switch (op) {
	case BPF_ADD:
		add32(dst, src);
		add64(dst, src);
		dst->var_off = tnum_add(dst->var_off, src->var_off);
		break;
	case BPF_SUB:
		sub32(dst, src);
		sub64(dst, src);
		dst->var_off = tnum_sub(dst->var_off, src->var_off);
		break;
	case BPF_MUL:
		mul32(dst, src);
		mul64(dst, src);
		dst->var_off = tnum_mul(dst->var_off, src->var_off);
		break;
	case BPF_AND: case BPF_OR: case BPF_XOR:
		dst->var_off = op == BPF_AND ? tnum_and(dst->var_off, src->var_off) :
			       op == BPF_OR ? tnum_or(dst->var_off, src->var_off) :
					      tnum_xor(dst->var_off, src->var_off);
		bitwise32(dst, src, op);
		bitwise64(dst, src, op);
		break;
	case BPF_LSH: case BPF_RSH: case BPF_ARSH:
		if (scalar_is_const(src, true) && src->var_off.value < 64)
			shift64(dst, op, (uint8_t)src->var_off.value);
		else
			mark_unknown(dst, true);
		break;
	default: /* BPF_DIV, BPF_MOD */
		if (is_signed)
			mark_unknown(dst, true);
		else
			udivmod64(dst, src, op);
		break;
	}
}

static void alu32(struct reg_state *dst, const struct reg_state *src, uint8_t op,
		  bool is_signed)
{
	switch (op) {
	case BPF_ADD:
		add32(dst, src);
		dst->var_off = tnum_add(dst->var_off, src->var_off);
		break;
	case BPF_SUB:
		sub32(dst, src);
		dst->var_off = tnum_sub(dst->var_off, src->var_off);
		break;
	case BPF_MUL:
		mul32(dst, src);
		dst->var_off = tnum_mul(dst->var_off, src->var_off);
		break;
	case BPF_AND: case BPF_OR: case BPF_XOR:
		dst->var_off = op == BPF_AND ? tnum_and(dst->var_off, src->var_off) :
			       op == BPF_OR ? tnum_or(dst->var_off, src->var_off) :
					      tnum_xor(dst->var_off, src->var_off);
		bitwise32(dst, src, op);
		break;
	case BPF_LSH: case BPF_RSH: case BPF_ARSH:
		if (scalar_is_const(src, false) && (uint32_t)src->var_off.value < 32)
			shift32(dst, op, (uint8_t)src->var_off.value);
		else
			mark_unknown(dst, false);
		break;
	default:
		if (is_signed)
			mark_unknown(dst, false);
		else
			udivmod32(dst, src, op);
		break;
	}
	scalar_zext32(dst);
}

void scalar_alu(struct reg_state *dst, const struct reg_state *src, uint8_t op, bool is64,
		bool is_signed)
{
	struct reg_state s = *src; /* src may be dst */

	if (scalar_is_const(dst, is64) && scalar_is_const(&s, is64)) {
		uint64_t v = scalar_fold(op, is64, is_signed, dst->var_off.value, s.var_off.value);

		scalar_mark_known(dst, is64 ? v : (uint32_t)v);
		return;
	}
	if (is64)
		alu64(dst, &s, op, is_signed);
	else
		alu32(dst, &s, op, is_signed);
	scalar_bounds_sync(dst);
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
