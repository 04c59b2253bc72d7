/* BPF_MAP_TYPE_CGROUP_ARRAY (cgroup_array.c): what a slot holds for the
 * helpers that take the map (helpers/helpers_cgroup.c). */
#ifndef BPFVM_MAPS_CGROUP_ARRAY_H
#define BPFVM_MAPS_CGROUP_ARRAY_H

#include <stdint.h>

#include "maps/map.h"

/* The cgroup id (its cgroup v2 directory's inode number) in slot `index`,
 * 0 for an empty slot. The index must be below max_entries. */
uint64_t cgroup_array_id(const struct bpfvm_map *map, uint32_t index);

#endif
