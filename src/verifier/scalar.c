/* The scalar domain (see scalar.h), after the kernel's verifier.c: the
 * views and their sync (reg_bounds_sync), and linked
 * copies (sync_linked_regs). ALU ops are in scalar_alu.c, branches in
 * scalar_branch.c.
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

#include "verifier/scalar_internal.h"

/* ---- the views and their sync --------------------------------------- */

void scalar_mark_unbounded64(struct reg_state *reg)
{
	reg->smin = INT64_MIN;
	reg->smax = INT64_MAX;
	reg->umin = 0;
	reg->umax = UINT64_MAX;
}

void scalar_mark_unbounded32(struct reg_state *reg)
{
	reg->s32_min = S32_MIN;
	reg->s32_max = S32_MAX;
	reg->u32_min = 0;
	reg->u32_max = U32_MAX;
}

void scalar_mark_unbounded(struct reg_state *reg)
{
	scalar_mark_unbounded64(reg);
	scalar_mark_unbounded32(reg);
}

void scalar_mark_known(struct reg_state *reg, uint64_t value)
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
	if ((uint32_t)reg->s32_min <= (uint32_t)reg->s32_max) {
		narrow_u32(reg, (uint32_t)reg->s32_min, (uint32_t)reg->s32_max);
	} else if (reg->u32_max < (uint32_t)reg->s32_min) {
		/* The s32 range crosses 0 but the u32 range says the values
		 * are all in its non-negative part (deduce_bounds64's case). */
		reg->s32_min = (int32_t)reg->u32_min;
		reg->u32_max = min_u32(reg->u32_max, (uint32_t)reg->s32_max);
	} else if ((uint32_t)reg->s32_max < reg->u32_min) {
		/* ... or all in its negative part. */
		reg->s32_max = (int32_t)reg->u32_max;
		reg->u32_min = max_u32(reg->u32_min, (uint32_t)reg->s32_min);
	}
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

bool scalar_contains(const struct reg_state *reg, uint64_t x)
{
	uint32_t x32 = (uint32_t)x;

	return tnum_contains(reg->var_off, x) && reg->umin <= x && x <= reg->umax &&
	       reg->smin <= (int64_t)x && (int64_t)x <= reg->smax && reg->u32_min <= x32 &&
	       x32 <= reg->u32_max && reg->s32_min <= (int32_t)x32 && (int32_t)x32 <= reg->s32_max;
}

bool scalar_is_const(const struct reg_state *reg, bool is64)
{
	return is64 ? tnum_is_const(reg->var_off) : tnum_subreg_is_const(reg->var_off);
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

static void sync_one(struct reg_state *reg, void *arg)
{
	const struct reg_state *known = arg;
	struct reg_state delta;
	int32_t off = reg->off;
	uint32_t id = reg->id;

	if (reg->type != REG_SCALAR ||
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
	scalar_mark_known(&delta, (uint64_t)((int64_t)off - (int64_t)known->off));
	*reg = *known;
	scalar_alu(reg, &delta, BPF_ADD, true, false);
	reg->id = id;
	reg->off = off;
}

void scalar_sync_linked(struct verifier_state *st, const struct reg_state *known)
{
	if (known->type != REG_SCALAR || !known->id)
		return;
	/* A copy, since the walk writes st's registers (known among them:
	 * rewriting it with itself changes nothing). */
	struct reg_state copy = *known;

	state_for_each_reg(st, sync_one, &copy);
}
