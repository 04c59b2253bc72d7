/* Which family implements each map type. Each family's file defines its
 * ops; this table is the only place that lists them. */
#include <stddef.h>

#include "maps/map.h"
#include "maps/perf_event_array.h"
#include "maps/ringbuf.h"

const struct map_ops *map_ops_for_type(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		return &perf_event_array_map_ops;
	case BPF_MAP_TYPE_RINGBUF:
		return &ringbuf_map_ops;
	default:
		return NULL;
	}
}
