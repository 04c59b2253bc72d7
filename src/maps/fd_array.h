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
 * run path reads slots[] with one atomic load and no lock.
 *
 * A shared array (a prog array in a namespace's file) is written by several
 * processes: ids[] is the truth, and each process's slots[] follow it.
 * local_ids[] says which id each of this process's slots was resolved from;
 * fd_array_sync() brings the slots whose id changed up to date (the
 * namespace tells when: ns/ns_prog_array.h). The header also holds the
 * prog array's owner, so that the owner rule holds across processes.
 */
#ifndef BPFVM_MAPS_FD_ARRAY_H
#define BPFVM_MAPS_FD_ARRAY_H

#include <stdatomic.h>
#include <stdbool.h>
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
	/* A shared array's ids[] slot `index` is about to hold `id` (take),
	 * or has just stopped holding it: a prog array's slot keeps its
	 * program alive across processes (ns/ns_prog.h). NULL: nothing to do. */
	void (*hold_id)(struct bpfvm_map *map, uint32_t index, uint32_t id, bool take);
};

/* fd_array_map_alloc_check: value_size 4, no BPF_F_RDONLY_PROG /
 * BPF_F_WRONLY_PROG, then the array's checks. */
int fd_array_check_attr(const struct map_attr *attr);
size_t fd_array_region_size(const struct map_attr *attr);
/* map_ops.check_region of a file's prog array or array of maps. */
int fd_array_check_region(const struct map_region *region, const char **why);
/* Bytes fd_array_open allocates in each process (map_ops.local_size). */
size_t fd_array_local_size(const struct map_attr *attr);
int fd_array_init(struct bpfvm_map *map);
/* The process-local state of a shared array opened from its file: slots
 * all empty, to be filled by fd_array_sync(). */
int fd_array_open(struct bpfvm_map *map);
void fd_array_release(struct bpfvm_map *map, const struct fd_array_ops *ops);

/* map->private: the slots programs read. slot_cnt is max_entries, kept
 * here so that the run path reads one cache line, not the region's. */
struct fd_array_private {
	uint32_t slot_cnt;
	uint32_t *local_ids; /* the id each slot was resolved from */
	void *family_local;  /* the family's own, process-local (a shared
			      * ARRAY_OF_MAPS's inner maps: map_in_map.h) */
	void *_Atomic slots[];
};

/* A prog array's owner (prog_array.c), in the region so that every process
 * sees one owner; written once, under the region's lock. */
struct fd_array_owner {
	uint32_t set; /* 0 until the first program joins */
	uint32_t prog_type;
	uint32_t attach_type;
	uint32_t xdp_has_frags;
	uint32_t jited;
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

/* Brings this process's slots up to ids[] (a shared array that other
 * processes write): each slot whose id changed is resolved with ops->get
 * (NULL when that fails: the slot stays empty here) and exchanged if ids[]
 * still holds that id. Returns whether a slot changed. */
bool fd_array_sync(struct bpfvm_map *map, const struct fd_array_ops *ops);

/* The owner in the region, read and written between fd_array_lock and
 * fd_array_unlock. */
struct fd_array_owner *fd_array_owner(const struct bpfvm_map *map);
int fd_array_lock(struct bpfvm_map *map);
void fd_array_unlock(struct bpfvm_map *map);

#endif
