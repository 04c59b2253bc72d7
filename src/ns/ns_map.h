/* Maps in a namespace: regions in files of the namespace (ns.h), opened by
 * id or by pin, pinned and unpinned. map.c calls the first two; the public
 * API (ns_api.c) the rest. */
#ifndef BPFVM_NS_NS_MAP_H
#define BPFVM_NS_NS_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "maps/map.h"
#include "ns/ns.h"

/* The region of a new shareable map of a namespaced runtime: a record (its
 * id) and the file <root>/.bpfvm/maps/<id> of `size` bytes, mapped, with
 * this process's shared flock. Sets map->region, region_size, shared_fd,
 * region->id. The header's magic is written by map_create once the map is
 * formatted, so that an opener never trusts a half-made region. */
int ns_map_region_create(struct bpfvm_map *map, const struct map_attr *attr, size_t size);

/* The record of a new map of a namespaced runtime whose type cannot be
 * shared: its id (region->id) in the namespace, its process's pid. */
int ns_map_record_local(struct bpfvm_map *map);

/* Unmaps a shared map's region and removes its file and record if nobody
 * maps it and it is not pinned. */
void ns_map_region_release(struct bpfvm_map *map);

/* Opens a shared map: by pin path when `path` is not NULL, else by id.
 * BPF_F_RDONLY in flags gives a handle that refuses updates with -EPERM
 * (a "view": not the process's handle of that id, and programs may not use
 * it); a file the caller may only read gives such a view too, for the map
 * types whose lookups take no lock. Otherwise the process's handle of the
 * map (the one its programs use) is returned, made if needed. */
int ns_map_open(struct bpfvm *vm, const char *path, uint32_t id, uint32_t flags,
		struct bpfvm_map **map_out);

/* A program's reference (no user reference) to map `id`: the process's
 * handle, or the shared map opened. For instances of programs of other
 * processes (ns_prog.c). */
int ns_map_get_for_prog(struct bpfvm *vm, uint32_t id, struct bpfvm_map **map_out);

/* User references across processes (a prog array empties when the last
 * one goes): a process holds the map's file while it has a user reference
 * (ns_map_user_hold, taken by the opens; idempotent), and
 * ns_map_user_release drops its hold when its last one goes and says
 * whether it was the last of every process, with no pin left. */
void ns_map_user_hold(struct bpfvm_map *map);
void ns_map_user_unhold(struct bpfvm_map *map);
bool ns_map_user_release(struct bpfvm_map *map);

/* The sweep of a map whose user references matter (a prog array of `type`,
 * id `id`): if its last user reference went with a dead process and no pin
 * is left, it is emptied now, as when that reference went in the kernel.
 * For the namespace's listing; opening does the same. */
void ns_map_sweep_users(struct bpfvm *vm, uint32_t id, uint32_t type);

#endif
