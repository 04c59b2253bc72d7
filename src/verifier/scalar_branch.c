/* Branches on scalars: whether a compare is decided by the operands'
 * views (is_scalar_branch_taken), and what each side of an undecided one
 * teaches both operands (regs_refine_cond_op). A side that no value can
 * take is reported dead, so that the walk does not explore it. */
#include "verifier/scalar_internal.h"

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
		if (!scalar_is_const(b, !is32))
			tmp = a, a = b, b = tmp;
		if (!scalar_is_const(b, !is32))
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
