/* State coverage and widening for the path exploration.
 *
 * A checkpoint `old` covers `cur` when each live register and each stack
 * slot of cur describes a subset of the values old's does:
 *
 *   old NOT_INIT       covers anything (a later read would have failed old)
 *   old scalar         covers a scalar whose tnum and ranges lie inside
 *   old pointer        covers the same type, offset, frame and map, with a
 *                      variable part inside old's; NULL-able pointers must
 *                      pair their ids one to one (copies stay copies), and
 *                      so must packet pointers, with at least old's range;
 *                      memory the same size
 *   old stack byte     INVALID or MISC cover any data byte, ZERO only zeros,
 *                      a spill a covered spill; never a spilled pointer
 *                      where old has data
 *
 * Registers and slots that no path from the instruction reads are left out
 * (liveness.c), as the kernel's liveness marks do.
 *
 * Scalars are compared exactly (the kernel compares only scalars it found
 * precise; bpfvm has no precision tracking yet), so without help, a loop
 * counter or a chain of branches setting constants yields new states
 * forever. Widening bounds that: after enough checkpoints at an instruction,
 * what differs from the last one becomes unknown. It only loses precision,
 * never soundness: unknown covers every value. */
#include <string.h>

#include "verifier/liveness.h"
#include "verifier/scalar.h"
#include "verifier/state_prune.h"

#define IDMAP_MAX ((REG_COUNT + ISA_MAX_STACK / STACK_SLOT_SIZE) * ISA_MAX_CALL_FRAMES)

struct idmap {
	uint32_t cnt;
	uint32_t old[IDMAP_MAX], cur[IDMAP_MAX];
};

/* Whether ids old and cur may be the same pointer: pairs stay one to one. */
static bool idmap_check(struct idmap *map, uint32_t old, uint32_t cur)
{
	for (uint32_t i = 0; i < map->cnt; i++) {
		if (map->old[i] == old)
			return map->cur[i] == cur;
		if (map->cur[i] == cur)
			return false;
	}
	if (map->cnt == IDMAP_MAX)
		return false;
	map->old[map->cnt] = old;
	map->cur[map->cnt++] = cur;
	return true;
}

/* The kernel's check_ids: both ids zero, or both set and paired. */
static bool ids_match(struct idmap *map, uint32_t old, uint32_t cur)
{
	if (!old || !cur)
		return !old && !cur;
	return idmap_check(map, old, cur);
}

static bool ranges_within(const struct reg_state *old, const struct reg_state *cur)
{
	return old->smin <= cur->smin && cur->smax <= old->smax &&
	       old->umin <= cur->umin && cur->umax <= old->umax &&
	       old->s32_min <= cur->s32_min && cur->s32_max <= old->s32_max &&
	       old->u32_min <= cur->u32_min && cur->u32_max <= old->u32_max;
}

/* Linked scalars (scalar.h): where old's copies were refined together,
 * cur's must be copies too, with the same constant between them (the
 * kernel's check_scalar_ids); an unlinked cur scalar gets an id of its own. */
static bool scalar_ids_cover(const struct reg_state *old, const struct reg_state *cur,
			     struct idmap *idmap)
{
	uint32_t cur_id = cur->id;

	if (!old->id)
		return true;
	if ((old->id & SCALAR_ID_ADD_CONST) != (cur->id & SCALAR_ID_ADD_CONST) ||
	    ((old->id & SCALAR_ID_ADD_CONST) && old->off != cur->off))
		return false;
	if (!cur_id)
		cur_id = (uint32_t)(UINT32_MAX / 2 + 1 + idmap->cnt); /* unique: ids stay below */
	return idmap_check(idmap, old->id, cur_id);
}

static bool scalar_covers(const struct reg_state *old, const struct reg_state *cur,
			  struct idmap *idmap)
{
	return cur->type == REG_SCALAR && tnum_in(old->var_off, cur->var_off) &&
	       ranges_within(old, cur) && scalar_ids_cover(old, cur, idmap);
}

static bool reg_covers(const struct reg_state *old, const struct reg_state *cur,
		       struct idmap *idmap)
{
	if (old->type == REG_NOT_INIT)
		return true;
	if (old->type == REG_SCALAR)
		return scalar_covers(old, cur, idmap);
	if (old->type != cur->type || old->off != cur->off || old->map != cur->map ||
	    (old->type == REG_PTR_TO_STACK && old->frameno != cur->frameno) ||
	    !tnum_in(old->var_off, cur->var_off) || !ranges_within(old, cur))
		return false;
	/* References (ring buffer records) and locked map values: the ids
	 * name what refs_covers() pairs. */
	if (!ids_match(idmap, old->ref_obj_id, cur->ref_obj_id))
		return false;
	if (old->type & REG_MAYBE_NULL)
		return idmap_check(idmap, old->id, cur->id);
	switch (reg_base_type(old)) {
	case REG_PTR_TO_PACKET:
	case REG_PTR_TO_PACKET_META:
		/* At least old's range, and the same pointers sharing it (the
		 * kernel's regsafe; ranges below 0 are "past data_end"). */
		return (int32_t)old->range <= (int32_t)cur->range &&
		       idmap_check(idmap, old->id, cur->id);
	case REG_PTR_TO_MEM:
	case REG_PTR_TO_RINGBUF_MEM:
		return old->mem_size == cur->mem_size;
	case REG_PTR_TO_MAP_VALUE:
		return ids_match(idmap, old->id, cur->id);
	default:
		return true;
	}
}

/* The kernel's refsafe: the same references and locks, ids paired. */
static bool refs_covers(const struct verifier_state *old, const struct verifier_state *cur,
			struct idmap *idmap)
{
	if (old->ref_cnt != cur->ref_cnt)
		return false;
	for (uint32_t i = 0; i < old->ref_cnt; i++) {
		const struct ref_state *o = &old->refs[i], *c = &cur->refs[i];

		if (o->kind != c->kind || (o->kind == REF_LOCK && o->map != c->map) ||
		    !ids_match(idmap, o->id, c->id))
			return false;
	}
	return true;
}

static bool slot_is_pointer_spill(const struct stack_slot *slot)
{
	return slot->bytes[0] == SLOT_SPILL && reg_is_pointer(&slot->spilled);
}

static bool slot_is_zero_spill(const struct stack_slot *slot)
{
	return slot->bytes[0] == SLOT_SPILL && reg_is_const(&slot->spilled) &&
	       slot->spilled.var_off.value == 0;
}

static bool byte_covers(uint8_t old, uint8_t cur, const struct stack_slot *cur_slot)
{
	switch (old) {
	case SLOT_INVALID:
	case SLOT_MISC:
		return !(cur == SLOT_SPILL && slot_is_pointer_spill(cur_slot));
	case SLOT_ZERO:
		return cur == SLOT_ZERO || (cur == SLOT_SPILL && slot_is_zero_spill(cur_slot));
	default:
		return false; /* a spill: compared whole, by the caller */
	}
}

static bool slot_covers(const struct stack_slot *old, const struct stack_slot *cur,
			struct idmap *idmap)
{
	static const struct stack_slot empty;

	if (!old)
		old = &empty;
	if (!cur)
		cur = &empty;
	if (old->bytes[0] == SLOT_SPILL)
		return cur->bytes[0] == SLOT_SPILL && reg_covers(&old->spilled, &cur->spilled, idmap);
	for (int i = 0; i < STACK_SLOT_SIZE; i++)
		if (!byte_covers(old->bytes[i], cur->bytes[i], cur))
			return false;
	return true;
}

static const struct stack_slot *slot_at(const struct func_state *frame, uint32_t i)
{
	return i < frame->slot_cnt ? &frame->stack[i] : NULL;
}

struct frame_live {
	uint16_t regs;
	uint64_t slots;
};

/* What of frame i matters at insn idx: the live registers and slots in the
 * current frame; in a caller, what is live where it resumes: after a local
 * call r6..r9 (the rest is clobbered), at the helper that called a callback
 * everything live there. */
static struct frame_live frame_live(const struct types_env *env, const struct verifier_state *st,
				    uint32_t i, uint32_t idx)
{
	const struct func_state *callee;

	if (i == st->curframe)
		return (struct frame_live){ env->live[idx], env->live_slots[idx] };
	callee = st->frames[i + 1];
	if (callee->callback)
		return (struct frame_live){ env->live[callee->callsite],
					    env->live_slots[callee->callsite] };
	return (struct frame_live){ env->live[callee->callsite + 1] & (uint16_t)~LIVE_CALLER_SAVED,
				    env->live_slots[callee->callsite + 1] };
}

bool state_same_frames(const struct verifier_state *old, const struct verifier_state *cur)
{
	if (old->curframe != cur->curframe)
		return false;
	for (uint32_t i = 1; i <= cur->curframe; i++) /* frame 0 has no call site */
		if (old->frames[i]->callsite != cur->frames[i]->callsite)
			return false;
	return true;
}

uint64_t state_frames_key(const struct verifier_state *st)
{
	uint64_t key = st->curframe;

	for (uint32_t i = 1; i <= st->curframe; i++)
		key = key * 0x100000001b3ull ^ st->frames[i]->callsite;
	return key;
}

static bool frame_covers(const struct func_state *old, const struct func_state *cur,
			 struct frame_live live, struct idmap *idmap)
{
	uint32_t slots = old->slot_cnt > cur->slot_cnt ? old->slot_cnt : cur->slot_cnt;

	for (uint8_t r = 0; r < BPF_REG_10; r++)
		if ((live.regs & LIVE_REG(r)) && !reg_covers(&old->regs[r], &cur->regs[r], idmap))
			return false;
	for (uint32_t i = 0; i < slots; i++)
		if ((live.slots & (1ull << i)) &&
		    !slot_covers(slot_at(old, i), slot_at(cur, i), idmap))
			return false;
	return true;
}

bool state_covers(const struct types_env *env, const struct verifier_state *old,
		  const struct verifier_state *cur, uint32_t idx)
{
	struct idmap idmap;

	if (!state_same_frames(old, cur))
		return false;
	idmap.cnt = 0;
	for (uint32_t i = 0; i <= cur->curframe; i++)
		if (!frame_covers(old->frames[i], cur->frames[i], frame_live(env, cur, i, idx),
				  &idmap))
			return false;
	return refs_covers(old, cur, &idmap);
}

/* ---- widening ---------------------------------------------------------- */

/* cur = base + cur.off + v is also base + old.off + v' with v' = v + delta:
 * v' keeps the lower bound of both and loses its upper one (a pointer
 * walking up stays movable; the accesses through it are refused unless a
 * check bounds it again). */
static void widen_pointer(const struct reg_state *old, struct reg_state *cur)
{
	int64_t delta = (int64_t)cur->off - old->off, smin;
	uint64_t umin;

	if (__builtin_add_overflow(cur->smin, delta, &smin))
		smin = INT64_MIN;
	/* delta is a difference of two s32: no overflow in its negation */
	if (delta < 0)
		umin = cur->umin >= (uint64_t)-delta ? cur->umin - (uint64_t)-delta : 0;
	else if (__builtin_add_overflow(cur->umin, (uint64_t)delta, &umin))
		umin = 0;
	cur->off = old->off;
	cur->var_off = tnum_unknown();
	scalar_mark_unbounded(cur);
	cur->smin = smin < old->smin ? smin : old->smin;
	cur->umin = umin < old->umin ? umin : old->umin;
	scalar_bounds_sync(cur);
}

static bool widen_reg(const struct reg_state *old, struct reg_state *cur, bool pointers)
{
	struct idmap none = { 0 };

	if (old->type == REG_NOT_INIT || reg_covers(old, cur, &none))
		return false;
	if (old->type == REG_SCALAR && cur->type == REG_SCALAR) {
		/* The moving bounds go to their extremes (a loop's counter keeps
		 * the bound its loop checks, as pointer arithmetic needs). Two
		 * constants wait for the second stage: a bounded loop's counter
		 * is explored exactly, as the kernel does. */
		if (!pointers && reg_is_const(old) && reg_is_const(cur))
			return false;
		scalar_widen(cur, old);
		return true;
	}
	if (pointers && old->type == cur->type && old->map == cur->map &&
	    old->frameno == cur->frameno && !(cur->type & REG_MAYBE_NULL)) {
		widen_pointer(old, cur);
		return true;
	}
	return false;
}

static bool widen_slot(const struct stack_slot *old, struct stack_slot *cur, bool pointers)
{
	bool changed = false;

	if (old->bytes[0] == SLOT_SPILL && cur->bytes[0] == SLOT_SPILL)
		return widen_reg(&old->spilled, &cur->spilled, pointers);
	if (cur->bytes[0] == SLOT_SPILL && cur->spilled.type == REG_SCALAR &&
	    old->bytes[0] != SLOT_SPILL) {
		memset(cur->bytes, SLOT_MISC, sizeof(cur->bytes));
		reg_mark_not_init(&cur->spilled);
		return true;
	}
	for (int i = 0; i < STACK_SLOT_SIZE; i++) {
		if (cur->bytes[i] == SLOT_ZERO && old->bytes[i] == SLOT_MISC) {
			cur->bytes[i] = SLOT_MISC;
			changed = true;
		}
	}
	return changed;
}

bool state_widen(const struct types_env *env, const struct verifier_state *old,
		 struct verifier_state *cur, uint32_t idx, bool pointers)
{
	bool changed = false;

	if (!state_same_frames(old, cur))
		return false;
	for (uint32_t f = 0; f <= cur->curframe; f++) {
		const struct func_state *of = old->frames[f];
		struct func_state *cf = cur->frames[f];
		struct frame_live live = frame_live(env, cur, f, idx);

		for (uint8_t r = 0; r < BPF_REG_10; r++)
			if (live.regs & LIVE_REG(r))
				changed |= widen_reg(&of->regs[r], &cf->regs[r], pointers);
		for (uint32_t i = 0; i < of->slot_cnt && i < cf->slot_cnt; i++)
			if (live.slots & (1ull << i))
				changed |= widen_slot(&of->stack[i], &cf->stack[i], pointers);
	}
	return changed;
}
