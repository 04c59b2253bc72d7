/* References and locks on abstract states (see refs.h).
 *
 * A ring buffer record is a reference: bpf_ringbuf_reserve acquires it (r0
 * gets id == ref_obj_id == the entry's id), the NULL side of the check
 * drops it, submit or discard releases it and every copy of the pointer
 * becomes a scalar. A path that exits, or tail-calls, holding one leaks it.
 * A held bpf_spin_lock is an entry too, named by the map value's reg->id and
 * its map, as the kernel pairs lock and unlock; so is an open
 * bpf_rcu_read_lock section (the kernel's active_rcu_lock). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "maps/map.h"
#include "verifier/helper_call.h"
#include "verifier/refs.h"

int refs_acquire(struct types_env *env, struct verifier_state *st, uint32_t idx)
{
	struct ref_state *ref;

	if (st->ref_cnt == STATE_MAX_REFS)
		return types_error(env, idx, -E2BIG, "more than %u references held at once",
				   STATE_MAX_REFS);
	ref = &st->refs[st->ref_cnt++];
	*ref = (struct ref_state){ .id = ++env->next_id, .insn_idx = idx, .kind = REF_PTR };
	return (int)ref->id;
}

static void remove_ref(struct verifier_state *st, uint32_t i)
{
	memmove(&st->refs[i], &st->refs[i + 1], (st->ref_cnt - i - 1) * sizeof(st->refs[0]));
	st->ref_cnt--;
}

static int find_ref(const struct verifier_state *st, enum ref_kind kind, uint32_t id,
		    uint32_t map)
{
	for (uint32_t i = 0; i < st->ref_cnt; i++)
		if (st->refs[i].kind == kind && st->refs[i].id == id &&
		    (kind != REF_LOCK || st->refs[i].map == map))
			return (int)i;
	return -1;
}

static void invalidate(struct reg_state *reg, void *arg)
{
	uint32_t ref_obj_id = *(const uint32_t *)arg;

	if (reg_is_pointer(reg) && reg->ref_obj_id == ref_obj_id)
		reg_mark_unknown(reg);
}

int refs_release(struct verifier_state *st, uint32_t ref_obj_id)
{
	int i = find_ref(st, REF_PTR, ref_obj_id, 0);

	if (i < 0)
		return -ENOENT;
	remove_ref(st, (uint32_t)i);
	state_for_each_reg(st, invalidate, &ref_obj_id);
	return 0;
}

void types_release_null_ref(struct verifier_state *st, uint32_t id)
{
	int i = find_ref(st, REF_PTR, id, 0);

	/* The NULL side of `if (rec == 0)`: nothing was reserved. */
	if (i >= 0)
		remove_ref(st, (uint32_t)i);
}

bool types_reg_keeps_id(const struct types_env *env, const struct reg_state *reg)
{
	struct map_desc desc;

	return reg_base_type(reg) == REG_PTR_TO_MAP_VALUE && helper_map_desc(env, reg->map, &desc) &&
	       desc.spin_lock_off >= 0;
}

bool refs_holds_lock(const struct verifier_state *st)
{
	for (uint32_t i = 0; i < st->ref_cnt; i++)
		if (st->refs[i].kind == REF_LOCK)
			return true;
	return false;
}

/* The map value in reg points at its map's bpf_spin_lock (process_spin_lock). */
static int check_lock_pointer(struct types_env *env, uint32_t idx, uint8_t regno,
			      const struct reg_state *reg)
{
	struct map_desc desc;
	const char *name;
	int64_t off;

	if (!tnum_is_const(reg->var_off))
		return types_error(env, idx, -EINVAL,
				   "R%u doesn't have constant offset. bpf_spin_lock has to be at the "
				   "constant offset", regno);
	if (!helper_map_desc(env, reg->map, &desc))
		return types_error(env, idx, -EINVAL, "R%u does not point to a known map", regno);
	name = desc.map ? bpfvm_map_name(desc.map) : "inner";
	if (desc.spin_lock_off < 0)
		return types_error(env, idx, -EINVAL, "map '%s' has no valid bpf_spin_lock", name);
	off = (int64_t)reg->var_off.value + reg->off;
	if (off != desc.spin_lock_off)
		return types_error(env, idx, -EINVAL,
				   "off %" PRId64 " doesn't point to 'struct bpf_spin_lock' that is at %d",
				   off, desc.spin_lock_off);
	return 0;
}

int refs_spin_lock(struct types_env *env, struct verifier_state *st, uint32_t idx, uint8_t regno,
		   bool lock)
{
	const struct reg_state *reg = &state_frame(st)->regs[regno];
	int err = check_lock_pointer(env, idx, regno, reg), i;

	if (err)
		return err;
	if (lock) {
		if (refs_holds_lock(st))
			return types_error(env, idx, -EINVAL,
					   "Locking two bpf_spin_locks are not allowed");
		if (st->ref_cnt == STATE_MAX_REFS)
			return types_error(env, idx, -E2BIG, "more than %u references held at once",
					   STATE_MAX_REFS);
		st->refs[st->ref_cnt++] = (struct ref_state){ .id = reg->id, .insn_idx = idx,
							      .map = reg->map, .kind = REF_LOCK };
		return 0;
	}
	if (!refs_holds_lock(st))
		return types_error(env, idx, -EINVAL, "bpf_spin_unlock without taking a lock");
	i = find_ref(st, REF_LOCK, reg->id, reg->map);
	if (i < 0)
		return types_error(env, idx, -EINVAL, "bpf_spin_unlock of different lock");
	remove_ref(st, (uint32_t)i);
	return 0;
}

int refs_rcu_lock(struct types_env *env, struct verifier_state *st, uint32_t idx, bool lock)
{
	int last = -1;

	for (uint32_t i = 0; i < st->ref_cnt; i++)
		if (st->refs[i].kind == REF_RCU)
			last = (int)i;
	if (lock) {
		if (last >= 0) /* Linux 6.18 does not nest them */
			return types_error(env, idx, -EINVAL,
					   "nested rcu read lock (kernel function bpf_rcu_read_lock)");
		if (st->ref_cnt == STATE_MAX_REFS)
			return types_error(env, idx, -E2BIG, "more than %u references held at once",
					   STATE_MAX_REFS);
		st->refs[st->ref_cnt++] = (struct ref_state){ .id = ++env->next_id,
							      .insn_idx = idx, .kind = REF_RCU };
		return 0;
	}
	if (last < 0)
		return types_error(env, idx, -EINVAL,
				   "unmatched rcu read unlock (kernel function bpf_rcu_read_unlock)");
	remove_ref(st, (uint32_t)last);
	return 0;
}

bool refs_in_rcu(const struct verifier_state *st)
{
	for (uint32_t i = 0; i < st->ref_cnt; i++)
		if (st->refs[i].kind == REF_RCU)
			return true;
	return false;
}

int refs_check_leak(struct types_env *env, const struct verifier_state *st, uint32_t idx,
		    const char *prefix)
{
	char leaks[STATE_MAX_REFS * 48] = "";
	size_t len = 0;

	if (refs_holds_lock(st))
		return types_error(env, idx, -EINVAL,
				   "%s cannot be used inside bpf_spin_lock-ed region", prefix);
	/* The kernel's lines: each reference, then what leaks them. */
	for (uint32_t i = 0; i < st->ref_cnt; i++)
		if (st->refs[i].kind == REF_PTR)
			len += (size_t)snprintf(leaks + len, sizeof(leaks) - len,
						"Unreleased reference id=%u alloc_insn=%u\n",
						st->refs[i].id, st->refs[i].insn_idx);
	if (len)
		return types_error(env, idx, -EINVAL, "%s%s would lead to reference leak", leaks,
				   prefix);
	if (refs_in_rcu(st))
		return types_error(env, idx, -EINVAL,
				   "%s cannot be used inside bpf_rcu_read_lock-ed region", prefix);
	return 0;
}
