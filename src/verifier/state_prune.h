/* When a path may stop: its state is covered by a checkpoint (see
 * state_prune.c). */
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

/* Makes cur coarser where it differs from old, so that loops and chains of
 * branches stop producing new states: scalars become unknown, and with
 * `pointers` the offsets of pointers of the same type become variable.
 * Frames must match (same calls in progress). Returns whether cur changed. */
bool state_widen(const struct types_env *env, const struct verifier_state *old,
		 struct verifier_state *cur, uint32_t idx, bool pointers);

/* Whether old and cur are in the same calls (same frames and call sites). */
bool state_same_frames(const struct verifier_state *old, const struct verifier_state *cur);

/* A summary of the calls in progress: states with different keys are never
 * in the same calls (a quick test before state_same_frames). */
uint64_t state_frames_key(const struct verifier_state *st);

#endif
