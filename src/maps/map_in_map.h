/* Maps of maps (ARRAY_OF_MAPS, HASH_OF_MAPS): the inner-map template, as the
 * kernel's kernel/bpf/map_in_map.c keeps it, and what makes an outer map
 * shared across the processes of a namespace (docs/namespace.md, "Shared
 * maps of maps").
 *
 * The template is the inner map given at creation; its type, sizes and
 * flags are stored in the outer map's region header (inner_*), and every
 * map stored later must match them.
 *
 * Shared, the region (a namespace file) stores inner maps by namespace id,
 * as a private one does by runtime id. Its end holds what the processes
 * share about the slots:
 *
 *   +-----------------------------+ 0
 *   | the family's region (an     |
 *   |   fd array's, a hash's)     |
 *   +-----------------------------+ round_up(family size, 64)
 *   | struct map_in_map_shared:   |
 *   |   lock: every write of a    |
 *   |     slot and of the holds   |
 *   |   gen:  counts the writes   |
 *   +-----------------------------+ region->size
 *
 *   - Holds (ns/ns_hold.h, "in.<outer id>"): the outer holds each map its
 *     slots name by a hard link, made before a slot names the map and
 *     removed once no slot does, under the lock. A writer killed in
 *     between leaves at most a hold too many, which the next writer
 *     (MAP_LOCK_RECOVERED) removes.
 *   - Each process resolves ids to its own handles of the inner maps
 *     (struct map_in_map_local), opened by id once and kept while a slot
 *     names them; it brings them up to date when `gen` moved, on the
 *     program's next lookup.
 */
#ifndef BPFVM_MAPS_MAP_IN_MAP_H
#define BPFVM_MAPS_MAP_IN_MAP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "maps/map.h"
#include "maps/map_lock.h"

/* bpf_map_meta_alloc's checks at creation: a template is given (-EINVAL),
 * it is not itself a map of maps (-EINVAL), its type can be an inner map
 * (-ENOTSUPP, 524, for PROG_ARRAY). Messages name the outer map. */
int map_in_map_check_template(const struct map_attr *attr);

/* A region opened from a file has no template map, only the inner_*
 * fields of its header: a stand-in made of them (in *stub, over
 * *stub_region) for check_attr, or NULL for a map that is not a map of
 * maps. */
const struct bpfvm_map *map_in_map_template_stub(const struct map_region *region,
						 struct map_region *stub_region,
						 struct bpfvm_map *stub);

/* Resolves the id user space stores into an outer map: -EBADF for an
 * unknown id, -EINVAL when the map does not match the template (type,
 * key_size, value_size, map_flags; max_entries too for ARRAY templates
 * without BPF_F_INNER_MAP); for a shared outer, -EOPNOTSUPP for a map
 * private to its process. Takes a reference. */
int map_in_map_get_inner(struct bpfvm_map *outer, uint32_t id, struct bpfvm_map **inner);

/* Drops the reference map_in_map_get_inner took. */
void map_in_map_put_inner(void *inner);

/* ---- Shared outer maps -------------------------------------------------- */

struct map_in_map_shared {
	struct map_lock lock;
	_Atomic uint32_t gen;
};

/* The family's region size plus the shared part. */
size_t map_in_map_region_size(size_t family_size);

/* This process's handles of the inner maps a shared outer names: one
 * reference each, brought up to the region's `gen` under `lock`. */
struct map_in_map_held {
	uint32_t id;
	struct bpfvm_map *map;
};

struct map_in_map_held_set;

struct map_in_map_local {
	pthread_mutex_t lock;
	_Atomic uint32_t seen_gen;
	/* Replaced whole by each update (runs read it without the lock),
	 * the old one freed after a grace period. */
	struct map_in_map_held_set *_Atomic held;
};

/* Formats the shared part (every outer map has one; only a shared one
 * uses it) and, for a shared outer, refuses a template of a type that
 * is private to its process (-EOPNOTSUPP). */
int map_in_map_init(struct bpfvm_map *outer);
struct map_in_map_local *map_in_map_local_new(struct bpfvm_map *outer);
void map_in_map_local_free(struct map_in_map_local *local);

/* A write of a shared outer: `id` into the slot of `key`, or a delete
 * when id is 0. The family's `apply` makes it (with no reference taken:
 * the holds keep the maps); this takes the outer's lock around it, holds
 * the new map first and lets the replaced one go when no slot names it
 * any more. Returns apply's result, or -errno of the checks. */
struct map_in_map_write {
	const void *key;
	uint32_t id;
	uint64_t flags;
};

int map_in_map_write(struct bpfvm_map *outer, const struct map_in_map_write *write,
		     int (*apply)(struct bpfvm_map *outer, const struct map_in_map_write *write));

/* Run path of a shared outer: the process's handle of the map whose id
 * read_id() finds for `key` (0: none), made the first time (an open by
 * id: the only system calls, once per inner map and process); NULL when
 * the slot is empty or names a map that is gone. */
struct bpfvm_map *map_in_map_bpf_lookup(struct bpfvm_map *outer, struct map_in_map_local *local,
					const void *key,
					uint32_t (*read_id)(struct bpfvm_map *outer,
							    const void *key));

#endif
