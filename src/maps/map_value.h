/* Map values that hold a struct bpf_spin_lock, and the lock itself.
 *
 * The kernel learns from a value's BTF where its bpf_spin_lock is
 * (btf_record.spin_lock_off) and then treats that word apart:
 *   - copies of a value never copy it (copy_map_value), and a value handed
 *     to user space has it zeroed (check_and_init_map_value);
 *   - BPF_F_LOCK copies a value in or out while holding it
 *     (copy_map_value_locked), so that they exclude a program between its
 *     bpf_spin_lock() and bpf_spin_unlock();
 *   - BPF_F_LOCK on a value without one is -EINVAL.
 * bpfvm keeps the offset in the region header (map_region.spin_lock_off, -1
 * without a lock), set at creation from map_attr; the loader reads it from
 * the object's BTF (src/object/btf_spin_lock.c).
 *
 *     value:  | ... fields ... | u32 lock word | ... fields ... |
 *                              ^ spin_lock_off
 *
 * The lock word is 0 when free and the holder's thread id when held
 * (core/owner.h), taken with a compare-and-swap: the helpers
 * bpf_spin_lock/unlock and user-space BPF_F_LOCK copies use the same
 * functions below, in any process that maps the region. A process killed
 * between lock and unlock (a program, or a BPF_F_LOCK copy) leaves its tid
 * in the word; a waiter that has waited for a while asks whether that thread
 * is alive and, if not, takes the lock over (the value may hold part of the
 * dead holder's writes, as after a torn write). The kernel's 4-byte layout
 * is kept: there is no room for more than the tid, so a tid reused by a new
 * thread before a waiter looks makes the waiter wait for that thread's end.
 */
#ifndef BPFVM_MAPS_MAP_VALUE_H
#define BPFVM_MAPS_MAP_VALUE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "maps/map.h"

#define MAP_SPIN_LOCK_SIZE 4u /* sizeof(struct bpf_spin_lock) */

/* Takes a bpf_spin_lock word: spins, yields the CPU when the holder seems
 * descheduled (a user-space holder can be preempted), and takes the lock
 * over from a holder that died. */
void map_spin_lock(_Atomic uint32_t *lock);
void map_spin_unlock(_Atomic uint32_t *lock);

static inline bool map_has_spin_lock(const struct bpfvm_map *map)
{
	return map->region->spin_lock_off >= 0;
}

/* copy_map_value: value_size bytes but the lock word. */
void map_value_copy(const struct bpfvm_map *map, void *dst, const void *src);

/* A value copied out to user space: BPF_F_LOCK takes the source's lock
 * around the copy; the copy's lock word reads 0. */
void map_value_read(const struct bpfvm_map *map, void *dst, const void *src, uint64_t flags);

/* A value written into the map: BPF_F_LOCK takes the destination's lock
 * around the copy; the destination's lock word is never written. */
void map_value_write(const struct bpfvm_map *map, void *dst, const void *src, uint64_t flags);

#endif
