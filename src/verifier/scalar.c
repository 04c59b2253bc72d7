/* The scalar domain (see scalar.h), after the kernel's verifier.c:
 * reg_bounds_sync, adjust_scalar_min_max_vals, is_scalar_branch_taken,
 * regs_refine_cond_op and sync_linked_regs.
 *
 * A scalar's five views and how sync moves knowledge between them:
 *
 *        var_off (tnum) ----------------------> ranges   (__update_reg_bounds)
 *   u64 <-> s64   u32 <-> s32   64 <-> 32 bits           (__reg_deduce_bounds)
 *        ranges -------------------------------> var_off (__reg_bound_offset)
 *
 * Each ALU op computes what it can of each view from its operands' views;
 * whatever a view cannot say is unbounded and sync recovers from the
 * others. A view is never narrowed beyond what holds for every value. */
#include <string.h>

#include "verifier/scalar.h"

#define S32_MIN INT32_MIN
#define S32_MAX INT32_MAX
#define U32_MAX UINT32_MAX

static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static int64_t max_s64(int64_t a, int64_t b) { return a > b ? a : b; }
static int64_t min_s64(int64_t a, int64_t b) { return a < b ? a : b; }
static uint32_t max_u32(uint32_t a, uint32_t b) { return a > b ? a : b; }
static uint32_t min_u32(uint32_t a, uint32_t b) { return a < b ? a : b; }
static int32_t max_s32(int32_t a, int32_t b) { return a > b ? a : b; }
static int32_t min_s32(int32_t a, int32_t b) { return a < b ? a : b; }

/* ---- the views and their sync --------------------------------------- */

static void mark_unbounded64(struct reg_state *reg)
{
	reg->smin = INT64_MIN;
	reg->smax = INT64_MAX;
	reg->umin = 0;
	reg->umax = UINT64_MAX;
}

static void mark_unbounded32(struct reg_state *reg)
{
	reg->s32_min = S32_MIN;
	reg->s32_max = S32_MAX;
	reg->u32_min = 0;
	reg->u32_max = U32_MAX;
}

void scalar_mark_unbounded(struct reg_state *reg)
{
	mark_unbounded64(reg);
	mark_unbounded32(reg);
}

static void mark_known(struct reg_state *reg, uint64_t value)
{
	reg->var_off = tnum_const(value);
	reg->smin = reg->smax = (int64_t)value;
	reg->umin = reg->umax = value;
	reg->s32_min = reg->s32_max = (int32_t)(uint32_t)value;
	reg->u32_min = reg->u32_max = (uint32_t)value;
}

static void update_bounds32(struct reg_state *reg)
{
	struct tnum t = tnum_subreg(reg->var_off);

	reg->s32_min = max_s32(reg->s32_min, (int32_t)(uint32_t)(t.value | (t.mask & 0x80000000u)));
	reg->s32_max = min_s32(reg->s32_max, (int32_t)(uint32_t)(t.value | (t.mask & 0x7fffffffu)));
	reg->u32_min = max_u32(reg->u32_min, (uint32_t)t.value);
	reg->u32_max = min_u32(reg->u32_max, (uint32_t)(t.value | t.mask));
}

static void update_bounds64(struct reg_state *reg)
{
	struct tnum t = reg->var_off;

	reg->smin = max_s64(reg->smin, (int64_t)(t.value | (t.mask & (1ull << 63))));
	reg->smax = min_s64(reg->smax, (int64_t)(t.value | (t.mask & ~(1ull << 63))));
	reg->umin = max_u64(reg->umin, t.value);
	reg->umax = min_u64(reg->umax, t.value | t.mask);
}

static void update_bounds(struct reg_state *reg)
{
	update_bounds32(reg);
	update_bounds64(reg);
}

static void narrow_s32(struct reg_state *reg, int32_t lo, int32_t hi)
{
	reg->s32_min = max_s32(reg->s32_min, lo);
	reg->s32_max = min_s32(reg->s32_max, hi);
}

static void narrow_u32(struct reg_state *reg, uint32_t lo, uint32_t hi)
{
	reg->u32_min = max_u32(reg->u32_min, lo);
	reg->u32_max = min_u32(reg->u32_max, hi);
}

/* The 32-bit views from the 64-bit ones (__reg32_deduce_bounds). */
static void deduce_bounds32(struct reg_state *reg)
{
	/* Same upper halves: the lower halves lie between the bounds' own. */
	if ((reg->umin >> 32) == (reg->umax >> 32)) {
		narrow_u32(reg, (uint32_t)reg->umin, (uint32_t)reg->umax);
		if ((int32_t)(uint32_t)reg->umin <= (int32_t)(uint32_t)reg->umax)
			narrow_s32(reg, (int32_t)(uint32_t)reg->umin, (int32_t)(uint32_t)reg->umax);
	}
	if ((reg->smin >> 32) == (reg->smax >> 32)) {
		if ((uint32_t)reg->smin <= (uint32_t)reg->smax)
			narrow_u32(reg, (uint32_t)reg->smin, (uint32_t)reg->smax);
		if ((int32_t)(uint32_t)reg->smin <= (int32_t)(uint32_t)reg->smax)
			narrow_s32(reg, (int32_t)(uint32_t)reg->smin, (int32_t)(uint32_t)reg->smax);
	}
	/* Upper halves k and k+1, the lower ones running from negative (as
	 * s32) up through 0: one contiguous s32 range. */
	if ((uint32_t)(reg->umin >> 32) + 1 == (uint32_t)(reg->umax >> 32) &&
	    (int32_t)(uint32_t)reg->umin < 0 && (int32_t)(uint32_t)reg->umax >= 0)
		narrow_s32(reg, (int32_t)(uint32_t)reg->umin, (int32_t)(uint32_t)reg->umax);
	if ((uint32_t)((uint64_t)reg->smin >> 32) + 1 == (uint32_t)((uint64_t)reg->smax >> 32) &&
	    (int32_t)(uint32_t)reg->smin < 0 && (int32_t)(uint32_t)reg->smax >= 0)
		narrow_s32(reg, (int32_t)(uint32_t)reg->smin, (int32_t)(uint32_t)reg->smax);
	/* A u32 range on one side of the sign boundary is an s32 range, and
	 * the other way round. */
	if ((int32_t)reg->u32_min <= (int32_t)reg->u32_max)
		narrow_s32(reg, (int32_t)reg->u32_min, (int32_t)reg->u32_max);
	if ((uint32_t)reg->s32_min <= (uint32_t)reg->s32_max)
		narrow_u32(reg, (uint32_t)reg->s32_min, (uint32_t)reg->s32_max);
}

/* The signed and unsigned 64-bit views from each other (__reg64_deduce_bounds). */
static void deduce_bounds64(struct reg_state *reg)
{
	if ((int64_t)reg->umin <= (int64_t)reg->umax) {
		reg->smin = max_s64(reg->smin, (int64_t)reg->umin);
		reg->smax = min_s64(reg->smax, (int64_t)reg->umax);
	}
	if ((uint64_t)reg->smin <= (uint64_t)reg->smax) {
		reg->umin = max_u64(reg->umin, (uint64_t)reg->smin);
		reg->umax = min_u64(reg->umax, (uint64_t)reg->smax);
	} else if (reg->umax < (uint64_t)reg->smin) {
		/* The s64 range crosses 0 but the u64 range says the values
		 * are all in its non-negative part. */
		reg->smin = (int64_t)reg->umin;
		reg->umax = min_u64(reg->umax, (uint64_t)reg->smax);
	} else if ((uint64_t)reg->smax < reg->umin) {
		/* ... or all in its negative part. */
		reg->smax = (int64_t)reg->umax;
		reg->umin = max_u64(reg->umin, (uint64_t)reg->smin);
	}
}

/* The 64-bit views from the 32-bit ones (__reg_deduce_mixed_bounds). */
static void deduce_mixed_bounds(struct reg_state *reg)
{
	uint64_t new_umin = (reg->umin & ~0xffffffffull) | reg->u32_min;
	uint64_t new_umax = (reg->umax & ~0xffffffffull) | reg->u32_max;
	int64_t new_smin = (int64_t)(((uint64_t)reg->smin & ~0xffffffffull) | reg->u32_min);
	int64_t new_smax = (int64_t)(((uint64_t)reg->smax & ~0xffffffffull) | reg->u32_max);

	reg->umin = max_u64(reg->umin, new_umin);
	reg->umax = min_u64(reg->umax, new_umax);
	reg->smin = max_s64(reg->smin, new_smin);
	reg->smax = min_s64(reg->smax, new_smax);
	/* After a sign-extending load: a non-negative s32 range in a value
	 * whose upper half is all 0s or all 1s means all 0s. */
	if (reg->s32_min >= 0 && reg->smin >= S32_MIN && reg->smax <= S32_MAX) {
		reg->smin = reg->s32_min;
		reg->smax = reg->s32_max;
		reg->umin = (uint64_t)reg->s32_min;
		reg->umax = (uint64_t)reg->s32_max;
		reg->var_off = tnum_intersect(reg->var_off,
					      tnum_range((uint64_t)reg->smin, (uint64_t)reg->smax));
	}
}

static void deduce_bounds(struct reg_state *reg)
{
	deduce_bounds32(reg);
	deduce_bounds64(reg);
	deduce_mixed_bounds(reg);
}

/* The tnum from the unsigned ranges (__reg_bound_offset). */
static void bound_offset(struct reg_state *reg)
{
	struct tnum var64 = tnum_intersect(reg->var_off, tnum_range(reg->umin, reg->umax));
	struct tnum var32 = tnum_intersect(tnum_subreg(var64),
					   tnum_range(reg->u32_min, reg->u32_max));

	reg->var_off = tnum_or(tnum_clear_subreg(var64), var32);
}

void scalar_bounds_sync(struct reg_state *reg)
{
	update_bounds(reg);
	/* Twice: one pass's 64-bit deductions feed the next's 32-bit ones. */
	deduce_bounds(reg);
	deduce_bounds(reg);
	bound_offset(reg);
	update_bounds(reg);
}

bool scalar_is_empty(const struct reg_state *reg)
{
	return reg->smin > reg->smax || reg->umin > reg->umax || reg->s32_min > reg->s32_max ||
	       reg->u32_min > reg->u32_max || (reg->var_off.value & reg->var_off.mask) ||
	       !tnum_overlap(reg->var_off, tnum_range(reg->umin, reg->umax)) ||
	       !tnum_overlap(tnum_subreg(reg->var_off), tnum_range(reg->u32_min, reg->u32_max));
}

void scalar_hull(struct reg_state *reg, const struct reg_state *other)
{
	struct tnum a = reg->var_off, b = other->var_off;
	uint64_t mu = a.mask | b.mask | (a.value ^ b.value);

	reg->var_off = (struct tnum){ .value = a.value & ~mu, .mask = mu };
	reg->smin = min_s64(reg->smin, other->smin);
	reg->smax = max_s64(reg->smax, other->smax);
	reg->umin = min_u64(reg->umin, other->umin);
	reg->umax = max_u64(reg->umax, other->umax);
	reg->s32_min = min_s32(reg->s32_min, other->s32_min);
	reg->s32_max = max_s32(reg->s32_max, other->s32_max);
	reg->u32_min = min_u32(reg->u32_min, other->u32_min);
	reg->u32_max = max_u32(reg->u32_max, other->u32_max);
	reg->id = 0;
	reg->off = 0;
	scalar_bounds_sync(reg);
}

void scalar_widen(struct reg_state *reg, const struct reg_state *old)
{
	struct reg_state cur = *reg;

	scalar_hull(reg, old);
	if (cur.smin < old->smin)
		reg->smin = INT64_MIN;
	if (cur.smax > old->smax)
		reg->smax = INT64_MAX;
	if (cur.umin < old->umin)
		reg->umin = 0;
	if (cur.umax > old->umax)
		reg->umax = UINT64_MAX;
	if (cur.s32_min < old->s32_min)
		reg->s32_min = S32_MIN;
	if (cur.s32_max > old->s32_max)
		reg->s32_max = S32_MAX;
	if (cur.u32_min < old->u32_min)
		reg->u32_min = 0;
	if (cur.u32_max > old->u32_max)
		reg->u32_max = U32_MAX;
	scalar_bounds_sync(reg);
}

bool scalar_contains(const struct reg_state *reg, uint64_t x)
{
	uint32_t x32 = (uint32_t)x;

	return tnum_contains(reg->var_off, x) && reg->umin <= x && x <= reg->umax &&
	       reg->smin <= (int64_t)x && (int64_t)x <= reg->smax && reg->u32_min <= x32 &&
	       x32 <= reg->u32_max && reg->s32_min <= (int32_t)x32 && (int32_t)x32 <= reg->s32_max;
}

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
	mark_unbounded32(dst);
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
	mark_unbounded32(dst);
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

static bool is_const(const struct reg_state *reg, bool is64)
{
	return is64 ? tnum_is_const(reg->var_off) : tnum_subreg_is_const(reg->var_off);
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
		if (is_const(src, true) && src->var_off.value < 64)
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
		if (is_const(src, false) && (uint32_t)src->var_off.value < 32)
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

	if (is_const(dst, is64) && is_const(&s, is64)) {
		uint64_t v = scalar_fold(op, is64, is_signed, dst->var_off.value, s.var_off.value);

		mark_known(dst, is64 ? v : (uint32_t)v);
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
	mark_known(&zero, 0);
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
		mark_unbounded32(reg);
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
	mark_unbounded32(reg);
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

/* ---- branches ------------------------------------------------------- */

/* The kernel's flip_opcode: the same test with the operands swapped. */
static uint8_t flip_op(uint8_t op)
{
	switch (op) {
	case BPF_JGT: return BPF_JLT;
	case BPF_JLT: return BPF_JGT;
	case BPF_JGE: return BPF_JLE;
	case BPF_JLE: return BPF_JGE;
	case BPF_JSGT: return BPF_JSLT;
	case BPF_JSLT: return BPF_JSGT;
	case BPF_JSGE: return BPF_JSLE;
	case BPF_JSLE: return BPF_JSGE;
	default: return op; /* JEQ, JNE, JSET */
	}
}

/* The test that holds when op does not (rev_opcode); a JSET that fails
 * is its own case (JSET_NOT). */
#define JSET_NOT 0xf0
static uint8_t negate_op(uint8_t op)
{
	switch (op) {
	case BPF_JEQ: return BPF_JNE;
	case BPF_JNE: return BPF_JEQ;
	case BPF_JSET: return JSET_NOT;
	case BPF_JGT: return BPF_JLE;
	case BPF_JLE: return BPF_JGT;
	case BPF_JGE: return BPF_JLT;
	case BPF_JLT: return BPF_JGE;
	case BPF_JSGT: return BPF_JSLE;
	case BPF_JSLE: return BPF_JSGT;
	case BPF_JSGE: return BPF_JSLT;
	default: return BPF_JSGE; /* BPF_JSLT */
	}
}

/* A register's views at the width of a compare. */
struct view {
	struct tnum t;
	uint64_t umin, umax;
	int64_t smin, smax;
};

static struct view view_of(const struct reg_state *reg, bool is32)
{
	if (is32)
		return (struct view){ tnum_subreg(reg->var_off), reg->u32_min, reg->u32_max,
				      reg->s32_min, reg->s32_max };
	return (struct view){ reg->var_off, reg->umin, reg->umax, reg->smin, reg->smax };
}

static int jeq_taken(const struct reg_state *a, const struct reg_state *b, bool is32)
{
	struct view x = view_of(a, is32), y = view_of(b, is32);

	if (tnum_is_const(x.t) && tnum_is_const(y.t))
		return x.t.value == y.t.value;
	if (x.umin > y.umax || x.umax < y.umin || x.smin > y.smax || x.smax < y.smin ||
	    !tnum_overlap(x.t, y.t))
		return 0;
	/* Equal 64-bit values have equal low halves. */
	if (!is32 && (a->u32_min > b->u32_max || a->u32_max < b->u32_min ||
		      a->s32_min > b->s32_max || a->s32_max < b->s32_min))
		return 0;
	return -1;
}

static int jset_taken(const struct reg_state *a, const struct reg_state *b, bool is32)
{
	struct view x = view_of(a, is32), y = view_of(b, is32);

	if (!tnum_is_const(y.t)) {
		struct view tmp = x;

		x = y;
		y = tmp;
	}
	if (!tnum_is_const(y.t))
		return -1;
	if (x.t.value & y.t.value) /* a bit surely set in both */
		return 1;
	if (!((x.t.value | x.t.mask) & y.t.value))
		return 0;
	return -1;
}

int scalar_branch_taken(const struct reg_state *a, const struct reg_state *b, uint8_t op,
			bool is32)
{
	struct view x = view_of(a, is32), y = view_of(b, is32);
	int eq;

	switch (op) {
	case BPF_JEQ:
		return jeq_taken(a, b, is32);
	case BPF_JNE:
		eq = jeq_taken(a, b, is32);
		return eq < 0 ? -1 : !eq;
	case BPF_JSET:
		return jset_taken(a, b, is32);
	case BPF_JGT:
		return x.umin > y.umax ? 1 : x.umax <= y.umin ? 0 : -1;
	case BPF_JGE:
		return x.umin >= y.umax ? 1 : x.umax < y.umin ? 0 : -1;
	case BPF_JLT:
		return x.umax < y.umin ? 1 : x.umin >= y.umax ? 0 : -1;
	case BPF_JLE:
		return x.umax <= y.umin ? 1 : x.umin > y.umax ? 0 : -1;
	case BPF_JSGT:
		return x.smin > y.smax ? 1 : x.smax <= y.smin ? 0 : -1;
	case BPF_JSGE:
		return x.smin >= y.smax ? 1 : x.smax < y.smin ? 0 : -1;
	case BPF_JSLT:
		return x.smax < y.smin ? 1 : x.smin >= y.smax ? 0 : -1;
	case BPF_JSLE:
		return x.smax <= y.smin ? 1 : x.smin > y.smax ? 0 : -1;
	}
	return -1;
}

static void refine_eq(struct reg_state *a, struct reg_state *b, bool is32)
{
	a->u32_min = b->u32_min = max_u32(a->u32_min, b->u32_min);
	a->u32_max = b->u32_max = min_u32(a->u32_max, b->u32_max);
	a->s32_min = b->s32_min = max_s32(a->s32_min, b->s32_min);
	a->s32_max = b->s32_max = min_s32(a->s32_max, b->s32_max);
	if (is32) {
		struct tnum t = tnum_intersect(tnum_subreg(a->var_off), tnum_subreg(b->var_off));

		a->var_off = tnum_with_subreg(a->var_off, t);
		b->var_off = tnum_with_subreg(b->var_off, t);
		return;
	}
	a->umin = b->umin = max_u64(a->umin, b->umin);
	a->umax = b->umax = min_u64(a->umax, b->umax);
	a->smin = b->smin = max_s64(a->smin, b->smin);
	a->smax = b->smax = min_s64(a->smax, b->smax);
	a->var_off = b->var_off = tnum_intersect(a->var_off, b->var_off);
}

/* a != constant b: only an edge of a's ranges can move (at the compare's
 * width only: different 64-bit values may share their low halves). */
static void refine_ne(struct reg_state *a, const struct reg_state *b, bool is32)
{
	uint64_t v = b->var_off.value;

	if (is32) {
		if (a->u32_min == (uint32_t)v && a->u32_min < U32_MAX)
			a->u32_min++;
		if (a->u32_max == (uint32_t)v && a->u32_max > 0)
			a->u32_max--;
		if (a->s32_min == (int32_t)(uint32_t)v && a->s32_min < S32_MAX)
			a->s32_min++;
		if (a->s32_max == (int32_t)(uint32_t)v && a->s32_max > S32_MIN)
			a->s32_max--;
		return;
	}
	if (a->umin == v && a->umin < UINT64_MAX)
		a->umin++;
	if (a->umax == v && a->umax > 0)
		a->umax--;
	if (a->smin == (int64_t)v && a->smin < INT64_MAX)
		a->smin++;
	if (a->smax == (int64_t)v && a->smax > INT64_MIN)
		a->smax--;
}

/* (a & constant b) != 0, or == 0 (!set). */
static void refine_jset(struct reg_state *a, const struct reg_state *b, bool is32, bool set)
{
	uint64_t v = is32 ? (uint32_t)b->var_off.value : b->var_off.value;
	struct tnum t = is32 ? tnum_subreg(a->var_off) : a->var_off;

	if (set) {
		if (v & (v - 1)) /* which of several bits: nothing to say */
			return;
		t = tnum_or(t, tnum_const(v));
	} else {
		t = tnum_and(t, tnum_const(~v));
	}
	a->var_off = is32 ? tnum_with_subreg(a->var_off, t) : t;
}

/* a <= b (or a < b): a below b's maximum, b above a's minimum. false if
 * no value is left (a < b with b at its type's minimum). */
static bool refine_le(struct reg_state *a, struct reg_state *b, bool is32, bool is_signed,
		      bool strict)
{
	if (is32 && is_signed) {
		if (strict && (b->s32_max == S32_MIN || a->s32_min == S32_MAX))
			return false;
		a->s32_max = min_s32(a->s32_max, b->s32_max - strict);
		b->s32_min = max_s32(b->s32_min, a->s32_min + strict);
	} else if (is32) {
		if (strict && (b->u32_max == 0 || a->u32_min == U32_MAX))
			return false;
		a->u32_max = min_u32(a->u32_max, b->u32_max - strict);
		b->u32_min = max_u32(b->u32_min, a->u32_min + strict);
	} else if (is_signed) {
		if (strict && (b->smax == INT64_MIN || a->smin == INT64_MAX))
			return false;
		a->smax = min_s64(a->smax, b->smax - strict);
		b->smin = max_s64(b->smin, a->smin + strict);
	} else {
		if (strict && (b->umax == 0 || a->umin == UINT64_MAX))
			return false;
		a->umax = min_u64(a->umax, b->umax - strict);
		b->umin = max_u64(b->umin, a->umin + strict);
	}
	return true;
}

static bool refine_op(struct reg_state *a, struct reg_state *b, uint8_t op, bool is32)
{
	struct reg_state *tmp;

	switch (op) { /* a > b is b < a */
	case BPF_JGE: case BPF_JGT: case BPF_JSGE: case BPF_JSGT:
		op = flip_op(op);
		tmp = a, a = b, b = tmp;
		break;
	}
	switch (op) {
	case BPF_JEQ:
		if (!tnum_overlap(is32 ? tnum_subreg(a->var_off) : a->var_off,
				  is32 ? tnum_subreg(b->var_off) : b->var_off))
			return false;
		refine_eq(a, b, is32);
		return true;
	case BPF_JNE: case BPF_JSET: case JSET_NOT:
		if (!is_const(b, !is32))
			tmp = a, a = b, b = tmp;
		if (!is_const(b, !is32))
			return true;
		if (op == BPF_JNE)
			refine_ne(a, b, is32);
		else
			refine_jset(a, b, is32, op == BPF_JSET);
		return true;
	case BPF_JLE: return refine_le(a, b, is32, false, false);
	case BPF_JLT: return refine_le(a, b, is32, false, true);
	case BPF_JSLE: return refine_le(a, b, is32, true, false);
	default: return refine_le(a, b, is32, true, true); /* BPF_JSLT */
	}
}

bool scalar_refine(struct reg_state *a, struct reg_state *b, uint8_t op, bool is32, bool taken)
{
	if (scalar_is_empty(a) || scalar_is_empty(b))
		return false;
	if (!refine_op(a, b, taken ? op : negate_op(op), is32))
		return false;
	if (scalar_is_empty(a) || scalar_is_empty(b))
		return false;
	scalar_bounds_sync(a);
	scalar_bounds_sync(b);
	return !scalar_is_empty(a) && !scalar_is_empty(b);
}

/* ---- copies --------------------------------------------------------- */

void scalar_link_before_copy(struct reg_state *src, uint32_t *id_gen)
{
	if (src->type != REG_SCALAR)
		return;
	if (src->id & SCALAR_ID_ADD_CONST) { /* rX += K can be followed only once */
		src->id = 0;
		src->off = 0;
	}
	if (!src->id && !tnum_is_const(src->var_off))
		src->id = ++*id_gen & ~SCALAR_ID_ADD_CONST;
}

static void sync_one(struct reg_state *reg, const struct reg_state *known)
{
	struct reg_state delta;
	int32_t off = reg->off;
	uint32_t id = reg->id;

	if (reg->type != REG_SCALAR || reg == known ||
	    (reg->id & ~SCALAR_ID_ADD_CONST) != (known->id & ~SCALAR_ID_ADD_CONST))
		return;
	if (!((reg->id | known->id) & SCALAR_ID_ADD_CONST) || reg->off == known->off) {
		*reg = *known;
		reg->id = id;
		reg->off = off;
		return;
	}
	/* reg = known + (reg's constant - known's constant) */
	memset(&delta, 0, sizeof(delta));
	delta.type = REG_SCALAR;
	mark_known(&delta, (uint64_t)((int64_t)off - (int64_t)known->off));
	*reg = *known;
	scalar_alu(reg, &delta, BPF_ADD, true, false);
	reg->id = id;
	reg->off = off;
}

void scalar_sync_linked(struct verifier_state *st, const struct reg_state *known)
{
	if (known->type != REG_SCALAR || !known->id)
		return;
	for (uint32_t f = 0; f <= st->curframe; f++) {
		struct func_state *frame = st->frames[f];

		for (int r = 0; r < BPF_REG_10; r++)
			sync_one(&frame->regs[r], known);
		for (uint32_t i = 0; i < frame->slot_cnt; i++)
			if (frame->stack[i].bytes[0] == SLOT_SPILL)
				sync_one(&frame->stack[i].spilled, known);
	}
}
