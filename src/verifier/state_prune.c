/* State coverage and equality for the path exploration.
 *
 * A checkpoint `old` covers `cur` when each live register and each stack
 * slot of cur describes a subset of the values old's does:
 *
 *   old NOT_INIT       covers anything (a later read would have failed old)
 *   old scalar         covers any scalar whose value cannot matter
 *                      (precision.c); a precise one only if its tnum and
 *                      ranges lie inside, with the same links (ids)
 *   old pointer        covers the same type, offset, frame and map, with a
 *                      variable part inside old's, at least old's checked
 *                      packet range; ids pair one to one (copies stay copies)
 *   old stack byte     INVALID or MISC cover any data byte, ZERO only zeros,
 *                      a spill a covered spill; never a spilled pointer
 *                      where old has data
 *
 * Registers and slots that no path from the instruction reads are left out
 * (liveness.c), as the kernel's liveness marks do.
 *
 * Equality (for the infinite-loop check) is the kernel's regs_exact: the
 * same live registers and slots, field for field, ids paired one to one. */
#include <string.h>

#include "verifier/liveness.h"
#include "verifier/mem_check.h"
#include "verifier/scalar.h"
#include "verifier/state_prune.h"

#define IDMAP_MAX ((REG_COUNT + ISA_MAX_STACK / STACK_SLOT_SIZE) * ISA_MAX_CALL_FRAMES)
/* Ids made up for unlinked scalars: far above the ids a walk hands out, and
 * clear of bit 31 (the scalar part's SCALAR_ID_ADD_CONST). */
#define TMP_ID 0x40000000u
#define HASH_MUL 0x100000001b3ull

struct idmap {
	uint32_t cnt, tmp_ids;
	uint32_t old[IDMAP_MAX], cur[IDMAP_MAX];
};

/* Whether ids old and cur may be the same object: pairs stay one to one. */
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

/* The kernel's check_ids: both ids set and paired, or both zero. */
static bool ids_match(struct idmap *map, uint32_t old, uint32_t cur)
{
	if (!old || !cur)
		return old == cur;
	return idmap_check(map, old, cur);
}

/* The kernel's check_scalar_ids: scalars linked in old (learning from a
 * comparison of one refines the others) must be linked the same way in
 * cur, with the same constant between them (SCALAR_ID_ADD_CONST, scalar.h);
 * an unlinked cur scalar gets an id of its own. */
static bool scalar_ids_match(struct idmap *map, const struct reg_state *old,
			     const struct reg_state *cur)
{
	if (!old->id)
		return true;
	if ((old->id & SCALAR_ID_ADD_CONST) != (cur->id & SCALAR_ID_ADD_CONST) ||
	    ((old->id & SCALAR_ID_ADD_CONST) && old->off != cur->off))
		return false;
	return idmap_check(map, old->id, cur->id ? cur->id : TMP_ID | ++map->tmp_ids);
}

static bool ranges_within(const struct reg_state *old, const struct reg_state *cur)
{
	return tnum_in(old->var_off, cur->var_off) &&
	       old->smin <= cur->smin && cur->smax <= old->smax &&
	       old->umin <= cur->umin && cur->umax <= old->umax &&
	       old->s32_min <= cur->s32_min && cur->s32_max <= old->s32_max &&
	       old->u32_min <= cur->u32_min && cur->u32_max <= old->u32_max;
}

static bool is_packet(const struct reg_state *reg)
{
	return reg_base_type(reg) == REG_PTR_TO_PACKET ||
	       reg_base_type(reg) == REG_PTR_TO_PACKET_META;
}

static bool reg_covers(const struct reg_state *old, const struct reg_state *cur, bool precise,
		       struct idmap *idmap)
{
	if (old->type == REG_NOT_INIT)
		return true;
	if (old->type != cur->type)
		return false;
	if (old->type == REG_SCALAR)
		return !precise || (ranges_within(old, cur) && scalar_ids_match(idmap, old, cur));
	if (old->off != cur->off || old->map != cur->map || old->mem_size != cur->mem_size ||
	    old->btf_id != cur->btf_id || old->btf_flags != cur->btf_flags ||
	    (old->type == REG_PTR_TO_STACK && old->frameno != cur->frameno) ||
	    !ranges_within(old, cur))
		return false;
	/* cur must know at least the packet bytes old's accesses relied on;
	 * a pointer at or beyond data_end (a negative range) only covers its
	 * like (the kernel's regsafe) */
	if (is_packet(old) && (pkt_range_is_end(old->range) || pkt_range_is_end(cur->range) ?
			       old->range != cur->range : old->range > cur->range))
		return false;
	/* References (ring buffer records) and locked map values: the ids
	 * name what refs_cmp() pairs. */
	if (!ids_match(idmap, old->ref_obj_id, cur->ref_obj_id))
		return false;
	if ((old->type & REG_MAYBE_NULL) || is_packet(old) ||
	    reg_base_type(old) == REG_PTR_TO_MAP_VALUE)
		return ids_match(idmap, old->id, cur->id);
	return true;
}

static bool reg_exact(const struct reg_state *old, const struct reg_state *cur,
		      struct idmap *idmap)
{
	return old->type == cur->type && old->frameno == cur->frameno && old->off == cur->off &&
	       old->map == cur->map && old->range == cur->range &&
	       old->mem_size == cur->mem_size && old->btf_id == cur->btf_id &&
	       old->btf_flags == cur->btf_flags && old->var_off.value == cur->var_off.value &&
	       old->var_off.mask == cur->var_off.mask && old->smin == cur->smin &&
	       old->smax == cur->smax && old->umin == cur->umin && old->umax == cur->umax &&
	       old->s32_min == cur->s32_min && old->s32_max == cur->s32_max &&
	       old->u32_min == cur->u32_min && old->u32_max == cur->u32_max &&
	       ids_match(idmap, old->id, cur->id) &&
	       ids_match(idmap, old->ref_obj_id, cur->ref_obj_id);
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

static const struct stack_slot empty_slot;

static bool slot_all(const struct stack_slot *slot, uint8_t kind)
{
	for (int i = 0; i < STACK_SLOT_SIZE; i++)
		if (slot->bytes[i] != kind)
			return false;
	return true;
}

/* A whole spilled scalar where cur has eight bytes of data: a load of cur's
 * gives an unknown scalar, so compare that (the kernel's
 * scalar_reg_for_stack): an imprecise spill covers it. */
static bool spill_covers_misc(const struct stack_slot *old, const struct stack_slot *cur,
			      bool precise, struct idmap *idmap)
{
	struct reg_state unknown;

	(void)cur;
	reg_mark_unknown(&unknown);
	return reg_covers(&old->spilled, &unknown, precise, idmap);
}

static bool slot_covers(const struct stack_slot *old, const struct stack_slot *cur, bool precise,
			struct idmap *idmap)
{
	int i = 0;

	if (slot_all(old, SLOT_SPILL) && old->spilled.type == REG_SCALAR && slot_all(cur, SLOT_MISC))
		return spill_covers_misc(old, cur, precise, idmap);
	if (old->bytes[0] == SLOT_SPILL) {
		if (cur->bytes[0] != SLOT_SPILL ||
		    !reg_covers(&old->spilled, &cur->spilled, precise, idmap))
			return false;
		/* the rest of a narrow spill, byte by byte (stacksafe) */
		for (i = 1; i < STACK_SLOT_SIZE && old->bytes[i] == SLOT_SPILL; i++)
			if (cur->bytes[i] != SLOT_SPILL)
				return false;
	}
	for (; i < STACK_SLOT_SIZE; i++)
		if (!byte_covers(old->bytes[i], cur->bytes[i], cur))
			return false;
	return true;
}

static bool slot_exact(const struct stack_slot *old, const struct stack_slot *cur, bool precise,
		       struct idmap *idmap)
{
	(void)precise;
	if (memcmp(old->bytes, cur->bytes, sizeof(old->bytes)))
		return false;
	return old->bytes[0] != SLOT_SPILL || reg_exact(&old->spilled, &cur->spilled, idmap);
}

static const struct stack_slot *slot_at(const struct func_state *frame, uint32_t i)
{
	return i < frame->slot_cnt ? &frame->stack[i] : &empty_slot;
}

/* What of a frame matters at an instruction: the live registers and slots,
 * and those of them whose scalar values must be compared. */
struct frame_live {
	uint16_t regs, precise_regs;
	uint64_t slots, precise_slots;
};

static struct frame_live live_at(const struct types_env *env, uint32_t idx, uint16_t reg_mask)
{
	return (struct frame_live){
		.regs = env->live[idx] & reg_mask,
		.precise_regs = env->precise[idx] & reg_mask,
		.slots = env->live_slots[idx],
		.precise_slots = env->precise_slots[idx],
	};
}

/* What of frame i matters at insn idx: the live registers and slots in the
 * current frame; in a caller, what is live where it resumes: after a local
 * call r6..r9 (the rest is clobbered), at the helper that called a callback
 * everything live there. */
static struct frame_live frame_live(const struct types_env *env, const struct verifier_state *st,
				    uint32_t i, uint32_t idx)
{
	const struct func_state *callee;

	if (i == st->curframe)
		return live_at(env, idx, UINT16_MAX);
	callee = st->frames[i + 1];
	if (callee->callback)
		return live_at(env, callee->callsite, UINT16_MAX);
	return live_at(env, callee->callsite + 1, (uint16_t)~LIVE_CALLER_SAVED);
}

bool state_same_frames(const struct verifier_state *old, const struct verifier_state *cur)
{
	if (old->curframe != cur->curframe)
		return false;
	for (uint32_t i = 1; i <= cur->curframe; i++) /* frame 0 has no call site */
		if (old->frames[i]->callsite != cur->frames[i]->callsite ||
		    old->frames[i]->callback != cur->frames[i]->callback)
			return false;
	return true;
}

uint64_t state_frames_key(const struct verifier_state *st)
{
	uint64_t key = st->curframe;

	for (uint32_t i = 1; i <= st->curframe; i++)
		key = key * HASH_MUL ^ st->frames[i]->callsite;
	return key;
}

typedef bool reg_cmp_fn(const struct reg_state *old, const struct reg_state *cur, bool precise,
			struct idmap *idmap);
typedef bool slot_cmp_fn(const struct stack_slot *old, const struct stack_slot *cur,
			 bool precise, struct idmap *idmap);

static bool reg_exact_cmp(const struct reg_state *old, const struct reg_state *cur, bool precise,
			  struct idmap *idmap)
{
	(void)precise;
	return reg_exact(old, cur, idmap);
}

static bool frame_cmp(const struct func_state *old, const struct func_state *cur,
		      struct frame_live live, struct idmap *idmap, reg_cmp_fn *reg_cmp,
		      slot_cmp_fn *slot_cmp)
{
	uint32_t slots = old->slot_cnt > cur->slot_cnt ? old->slot_cnt : cur->slot_cnt;

	for (uint8_t r = 0; r < BPF_REG_10; r++)
		if ((live.regs & LIVE_REG(r)) &&
		    !reg_cmp(&old->regs[r], &cur->regs[r], live.precise_regs & LIVE_REG(r), idmap))
			return false;
	for (uint32_t i = 0; i < slots && i < 64; i++)
		if ((live.slots & (1ull << i)) &&
		    !slot_cmp(slot_at(old, i), slot_at(cur, i), live.precise_slots & (1ull << i),
			      idmap))
			return false;
	return true;
}

/* The kernel's refsafe: the same references and locks, ids paired. */
static bool refs_cmp(const struct verifier_state *old, const struct verifier_state *cur,
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

static bool states_cmp(const struct types_env *env, const struct verifier_state *old,
		       const struct verifier_state *cur, uint32_t idx, reg_cmp_fn *reg_cmp,
		       slot_cmp_fn *slot_cmp)
{
	struct idmap idmap;

	if (!state_same_frames(old, cur))
		return false;
	idmap.cnt = 0;
	idmap.tmp_ids = 0;
	for (uint32_t i = 0; i <= cur->curframe; i++)
		if (!frame_cmp(old->frames[i], cur->frames[i], frame_live(env, cur, i, idx), &idmap,
			       reg_cmp, slot_cmp))
			return false;
	return refs_cmp(old, cur, &idmap);
}

bool state_covers(const struct types_env *env, const struct verifier_state *old,
		  const struct verifier_state *cur, uint32_t idx)
{
	return states_cmp(env, old, cur, idx, reg_covers, slot_covers);
}

bool state_equal(const struct types_env *env, const struct verifier_state *old,
		 const struct verifier_state *cur, uint32_t idx)
{
	return states_cmp(env, old, cur, idx, reg_exact_cmp, slot_exact);
}

/* Every field of a register that reg_exact() compares, ids aside: a loop
 * whose value changes only in one bound (smax growing by an unknown byte
 * per iteration) must not leave all its iterations in one bucket, where
 * each visit would compare itself with every one before it. */
static uint64_t hash_reg(uint64_t hash, const struct reg_state *reg)
{
	hash = (hash ^ reg->type ^ (uint64_t)(uint32_t)reg->off << 16 ^ !reg->id << 15) * HASH_MUL;
	hash = (hash ^ reg->var_off.value ^ reg->var_off.mask << 7) * HASH_MUL;
	hash = (hash ^ (uint64_t)reg->smin ^ reg->umax << 3) * HASH_MUL;
	hash = (hash ^ (uint64_t)reg->smax ^ reg->umin << 3) * HASH_MUL;
	hash = (hash ^ (uint32_t)reg->s32_min ^ (uint64_t)reg->u32_max << 32) * HASH_MUL;
	return (hash ^ (uint32_t)reg->s32_max ^ (uint64_t)reg->u32_min << 32) * HASH_MUL;
}

uint64_t state_hash(const struct types_env *env, const struct verifier_state *st, uint32_t idx)
{
	const struct func_state *frame = st->frames[st->curframe];
	struct frame_live live = live_at(env, idx, UINT16_MAX);
	uint64_t hash = state_frames_key(st);

	for (uint8_t r = 0; r < BPF_REG_10; r++)
		if (live.regs & LIVE_REG(r))
			hash = hash_reg(hash, &frame->regs[r]);
	for (uint32_t i = 0; i < frame->slot_cnt && i < 64; i++) {
		const struct stack_slot *slot = &frame->stack[i];

		/* a slot of INVALID bytes equals one past slot_cnt (slot_at) */
		if (!(live.slots & (1ull << i)) ||
		    (slot->bytes[0] == SLOT_INVALID && slot->bytes[STACK_SLOT_SIZE - 1] == SLOT_INVALID))
			continue;
		hash = (hash ^ slot->bytes[0] ^ (uint64_t)slot->bytes[STACK_SLOT_SIZE - 1] << 8) *
		       HASH_MUL;
		if (slot->bytes[0] == SLOT_SPILL)
			hash = hash_reg(hash, &slot->spilled);
	}
	return hash;
}

/* ---- widening at a callback's helper ------------------------------------ */

static bool widen_scalar(const struct reg_state *old, struct reg_state *cur)
{
	struct idmap none = { 0 };

	if (old->type != REG_SCALAR || cur->type != REG_SCALAR ||
	    reg_covers(old, cur, true, &none))
		return false;
	reg_mark_unknown(cur);
	return true;
}

bool state_widen_scalars(const struct verifier_state *old, struct verifier_state *cur)
{
	bool changed = false;

	if (!state_same_frames(old, cur))
		return false;
	for (uint32_t f = 0; f <= cur->curframe; f++) {
		const struct func_state *o = old->frames[f];
		struct func_state *c = cur->frames[f];

		for (int r = 0; r < BPF_REG_10; r++)
			changed |= widen_scalar(&o->regs[r], &c->regs[r]);
		for (uint32_t i = 0; i < c->slot_cnt && i < o->slot_cnt; i++) {
			if (o->stack[i].bytes[0] == SLOT_SPILL && c->stack[i].bytes[0] == SLOT_SPILL)
				changed |= widen_scalar(&o->stack[i].spilled, &c->stack[i].spilled);
		}
	}
	return changed;
}
