/* Arrays whose slots hold references to objects: PROG_ARRAY (programs) and
 * ARRAY_OF_MAPS (maps), the kernel's "fd arrays" (kernel/bpf/arraymap.c,
 * fd_array_map_*). User space writes and reads object ids (where the kernel
 * takes file descriptors and returns ids); programs read object pointers.
 *
 *   region (shared)                           map->private (this process)
 *   +-------------------------------+ 0       +------------------------------+
 *   | struct map_region             |         | struct fd_array_private      |
 *   |   family[0] = ids ────────────┼──┐      |   slots[max_entries]:        |
 *   +-------------------------------+  │      |     object *_Atomic          |
 *   | struct fd_array_hdr           |  │      |     (what programs read)     |
 *   |   lock (map_lock)             |  │      |                              |
 *   +-------------------------------+  │      |     object *_Atomic          |
 *   | uint32_t ids[max_entries]     |◄─┘      |     (what programs read)     |
 *   |   0 = empty                   |         +------------------------------+
 *   +-------------------------------+
 *
 * Writers hold the region's lock, so ids[] and slots[] change together; the
 * run path reads slots[] with one atomic load and no lock. A pinned array
 * opened by another process starts with empty slots[] and fills them from
 * ids[] (the pinning issue's part).
 */
#ifndef BPFVM_MAPS_FD_ARRAY_H
#define BPFVM_MAPS_FD_ARRAY_H

#include <stdatomic.h>
#include <stdint.h>

#include "maps/map.h"

struct fd_array_ops {
	/* Resolves an id from user space into an object the slot may hold,
	 * taking a reference if the object has them. -errno with a message:
	 * -EBADF for an unknown id (the kernel's answer to a bad fd), -EINVAL
	 * for an object that does not fit. */
	int (*get)(struct bpfvm_map *map, uint32_t id, void **object);
	/* Drops the reference get() took; NULL when objects are not counted.
	 * Called as soon as an object leaves its slot: the object's own last
	 * put frees it only after a grace period (engine/vcpu.h), so a run
	 * that loaded it from the slot finishes with it first. */
	void (*put)(void *object);
	/* Slot `index` was just written, and what it held is not put yet:
	 * a prog array re-points the JIT's direct tail-call jumps through it
	 * (engine/jit_poke.c). NULL when nothing depends on the slots. */
	void (*changed)(struct bpfvm_map *map, uint32_t index);
};

/* fd_array_map_alloc_check: value_size 4, no BPF_F_RDONLY_PROG /
 * BPF_F_WRONLY_PROG, then the array's checks. */
int fd_array_check_attr(const struct map_attr *attr);
size_t fd_array_region_size(const struct map_attr *attr);
int fd_array_init(struct bpfvm_map *map);
void fd_array_release(struct bpfvm_map *map, const struct fd_array_ops *ops);

/* map->private: the slots programs read. slot_cnt is max_entries, kept
 * here so that the run path reads one cache line, not the region's. */
struct fd_array_private {
	uint32_t slot_cnt;
	void *_Atomic slots[];
};

/* Run path, for a program that names the array as a constant: its slots
 * (fixed for the map's life), and the slot of a constant index, or NULL
 * when the index is out of range. The interpreter keeps these at decode so
 * that a tail call does not go through the map each time. */
static inline const struct fd_array_private *fd_array_private_of(const struct bpfvm_map *map)
{
	return map->private;
}

static inline void *_Atomic *fd_array_slot(const struct bpfvm_map *map, uint32_t index)
{
	struct fd_array_private *private = map->private;

	return index < private->slot_cnt ? &private->slots[index] : NULL;
}

/* The object in slot `index` of `private`, or NULL (empty or out of range). */
static inline void *fd_array_private_get(const struct fd_array_private *private, uint32_t index)
{
	if (index >= private->slot_cnt)
		return NULL;
	return atomic_load_explicit((void *_Atomic *)&private->slots[index], memory_order_acquire);
}

/* Run path: the object in slot `index`, or NULL (empty or out of range).
 * Inline: a tail call makes it on every hop. */
static inline void *fd_array_get(const struct bpfvm_map *map, uint32_t index)
{
	return fd_array_private_get(map->private, index);
}

/* User side: the id in the slot, -ENOENT when empty or out of range. */
int fd_array_lookup(struct bpfvm_map *map, const void *key, void *value, uint64_t flags);
/* BPF_ANY only (-EINVAL), index < max_entries (-E2BIG), then ops->get. */
int fd_array_update(struct bpfvm_map *map, const struct fd_array_ops *ops, const void *key,
		    const void *value, uint64_t flags);
/* -E2BIG out of range, -ENOENT when empty. */
int fd_array_delete(struct bpfvm_map *map, const struct fd_array_ops *ops, const void *key);
/* Empties every slot (a prog array's last user reference went). */
void fd_array_clear(struct bpfvm_map *map, const struct fd_array_ops *ops);

#endif
