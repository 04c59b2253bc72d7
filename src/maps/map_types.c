/* Which family implements each map type. Each family's file defines its
 * ops; this table is the only place that lists them. */
#include <stddef.h>

#include "maps/map.h"

/* Arrays, queues and tries (array.c, prog_array.c, array_of_maps.c,
 * queue_stack.c, lpm_trie.c). */
extern const struct map_ops array_map_ops;
extern const struct map_ops percpu_array_map_ops;
extern const struct map_ops prog_array_map_ops;
extern const struct map_ops array_of_maps_map_ops;
extern const struct map_ops queue_map_ops;
extern const struct map_ops stack_map_ops;
extern const struct map_ops lpm_trie_map_ops;

const struct map_ops *map_ops_for_type(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_ARRAY:
		return &array_map_ops;
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		return &percpu_array_map_ops;
	case BPF_MAP_TYPE_PROG_ARRAY:
		return &prog_array_map_ops;
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
		return &array_of_maps_map_ops;
	case BPF_MAP_TYPE_QUEUE:
		return &queue_map_ops;
	case BPF_MAP_TYPE_STACK:
		return &stack_map_ops;
	case BPF_MAP_TYPE_LPM_TRIE:
		return &lpm_trie_map_ops;
	default:
		return NULL;
	}
}
