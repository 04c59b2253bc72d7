/* Values with a bpf_spin_lock (see map_value.h). */
#include <sched.h>
#include <string.h>

#include "core/owner.h"
#include "maps/map_lock.h"
#include "maps/map_value.h"

/* Spins before yielding: a program holds the lock for a few instructions
 * (the verifier allows no call in between), a user-space copy for one
 * memcpy. */
#define MAP_SPIN_BEFORE_YIELD 1024
/* Yields before asking whether the holder is alive (a read of /proc): a
 * live holder has had hundreds of chances to run by then. */
#define MAP_YIELDS_BEFORE_CHECK 64

static bool map_spin_try(_Atomic uint32_t *lock, uint32_t held, uint32_t self)
{
	return atomic_compare_exchange_strong_explicit(lock, &held, self, memory_order_acquire,
						       memory_order_relaxed);
}

void map_spin_lock(_Atomic uint32_t *lock)
{
	uint32_t self = owner_tid();
	unsigned long spins = 0;

	for (;;) {
		uint32_t held = atomic_load_explicit(lock, memory_order_relaxed);

		if (!held) {
			if (map_spin_try(lock, 0, self))
				return;
			continue;
		}
		if (++spins % MAP_SPIN_BEFORE_YIELD) {
			map_cpu_relax();
			continue;
		}
		sched_yield();
		/* A holder killed between lock and unlock never stores 0: its
		 * word still names it, and one waiter takes the lock over. */
		if (spins % ((unsigned long)MAP_SPIN_BEFORE_YIELD * MAP_YIELDS_BEFORE_CHECK) == 0 &&
		    owner_take_over(lock, held, 0, self))
			return;
	}
}

void map_spin_unlock(_Atomic uint32_t *lock)
{
	atomic_store_explicit(lock, 0, memory_order_release);
}

static _Atomic uint32_t *map_value_lock(const struct bpfvm_map *map, const void *value)
{
	return (_Atomic uint32_t *)((uint8_t *)value + map->region->spin_lock_off);
}

void map_value_copy(const struct bpfvm_map *map, void *dst, const void *src)
{
	uint32_t size = map_value_size(map);
	int32_t off = map->region->spin_lock_off;

	if (off < 0) {
		memcpy(dst, src, size);
		return;
	}
	memcpy(dst, src, (uint32_t)off);
	memcpy((uint8_t *)dst + off + MAP_SPIN_LOCK_SIZE,
	       (const uint8_t *)src + off + MAP_SPIN_LOCK_SIZE,
	       size - (uint32_t)off - MAP_SPIN_LOCK_SIZE);
}

void map_value_read(const struct bpfvm_map *map, void *dst, const void *src, uint64_t flags)
{
	if (!map_has_spin_lock(map)) {
		memcpy(dst, src, map_value_size(map));
		return;
	}
	if (flags & BPF_F_LOCK) {
		map_spin_lock(map_value_lock(map, src));
		map_value_copy(map, dst, src);
		map_spin_unlock(map_value_lock(map, src));
	} else {
		map_value_copy(map, dst, src);
	}
	memset((uint8_t *)dst + map->region->spin_lock_off, 0, MAP_SPIN_LOCK_SIZE);
}

void map_value_write(const struct bpfvm_map *map, void *dst, const void *src, uint64_t flags)
{
	if (!(flags & BPF_F_LOCK) || !map_has_spin_lock(map)) {
		map_value_copy(map, dst, src);
		return;
	}
	map_spin_lock(map_value_lock(map, dst));
	map_value_copy(map, dst, src);
	map_spin_unlock(map_value_lock(map, dst));
}
