/* When a path may stop: its state is covered by a checkpoint, or loops
 * (see state_prune.c). */
#ifndef BPFVM_VERIFIER_STATE_PRUNE_H
#define BPFVM_VERIFIER_STATE_PRUNE_H

#include <stdbool.h>
#include <stdint.h>

#include "verifier/types_env.h"

/* Whether every concrete state that cur describes at insn idx is described
 * by old, as far as the registers live there and the stacks can tell. Then
 * whatever old leads to covers what cur would: cur's path may stop. */
bool state_covers(const struct types_env *env, const struct verifier_state *old,
		  const struct verifier_state *cur, uint32_t idx);

/* Whether old and cur are the same abstract state at insn idx (the
 * kernel's states_equal(EXACT)), as far as the live registers and slots
 * tell: a path that comes back to a state it has already been in can run
 * around forever. */
/* Back at a helper from its callback, with old the state of the previous
 * call: the scalars of cur (registers and spilled slots, every frame) that
 * old does not cover become unknown, so that a value the callback keeps
 * changing (a sum) stops making new states; the kernel widens the imprecise
 * ones (widen_imprecise_scalars). It only loses precision. Returns whether
 * cur changed. */
bool state_widen_scalars(const struct verifier_state *old, struct verifier_state *cur);

bool state_equal(const struct types_env *env, const struct verifier_state *old,
		 const struct verifier_state *cur, uint32_t idx);

/* A summary of what state_equal() compares in the current frame: states
 * with different hashes at idx are never equal (a quick test first). */
uint64_t state_hash(const struct types_env *env, const struct verifier_state *st, uint32_t idx);

/* Whether old and cur are in the same calls (same frames and call sites). */
bool state_same_frames(const struct verifier_state *old, const struct verifier_state *cur);

/* A summary of the calls in progress: states with different keys are never
 * in the same calls (a quick test before state_same_frames). */
uint64_t state_frames_key(const struct verifier_state *st);

#endif
