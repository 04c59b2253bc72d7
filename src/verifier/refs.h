/* References and locks a path holds (verifier_state.refs), as the kernel's
 * acquire_reference / release_reference / check_resource_leak and the
 * bpf_spin_lock pairing of process_spin_lock. */
#ifndef BPFVM_VERIFIER_REFS_H
#define BPFVM_VERIFIER_REFS_H

#include <stdbool.h>
#include <stdint.h>

#include "verifier/types_env.h"

/* A new reference acquired at insn idx: its id, or a negative errno. */
int refs_acquire(struct types_env *env, struct verifier_state *st, uint32_t idx);

/* Releases reference ref_obj_id: every register and spill that points to it
 * becomes an unknown scalar (the kernel's mark_reg_invalid when pointers
 * may leak, as for root). -ENOENT if the path does not hold it. */
int refs_release(struct verifier_state *st, uint32_t ref_obj_id);

/* Whether the path holds a bpf_spin_lock. */
bool refs_holds_lock(const struct verifier_state *st);

/* bpf_spin_lock (lock true) or bpf_spin_unlock on the map value in regno. */
int refs_spin_lock(struct types_env *env, struct verifier_state *st, uint32_t idx, uint8_t regno,
		   bool lock);

/* bpf_rcu_read_lock (lock true) or bpf_rcu_read_unlock at insn idx: one
 * section at a time, unlocked on every path (Linux 6.18 refuses nesting). */
int refs_rcu_lock(struct types_env *env, struct verifier_state *st, uint32_t idx, bool lock);

/* Whether a bpf_rcu_read_lock section is open. */
bool refs_in_rcu(const struct verifier_state *st);

/* Before `prefix` (a tail call, the main program's exit) leaves the
 * program: no lock held, no reference unreleased, no RCU read section
 * open (check_resource_leak). */
int refs_check_leak(struct types_env *env, const struct verifier_state *st, uint32_t idx,
		    const char *prefix);

#endif
