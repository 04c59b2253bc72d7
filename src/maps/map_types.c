/* Which family implements each map type. Each family's file defines its
 * ops; this table is the only place that lists them. */
#include <stddef.h>

#include "maps/hash.h"
#include "maps/map.h"

const struct map_ops *map_ops_for_type(uint32_t type)
{
	switch (type) {
	/* Hash maps: hash.c, hash_lru.c, hash_of_maps.c */
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
		return &hash_map_ops;
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		return &hash_percpu_map_ops;
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		return &hash_of_maps_map_ops;
	default:
		return NULL;
	}
}
