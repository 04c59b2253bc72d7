/* Which family implements each map type. Each family's file defines its
 * ops; this table is the only place that lists them. */
#include <stddef.h>

#include "maps/hash.h"
#include "maps/map.h"
#include "maps/perf_event_array.h"
#include "maps/ringbuf.h"

/* Arrays, queues and tries (array.c, prog_array.c, array_of_maps.c,
 * queue_stack.c, lpm_trie.c). */
extern const struct map_ops array_map_ops;
extern const struct map_ops percpu_array_map_ops;
extern const struct map_ops prog_array_map_ops;
extern const struct map_ops array_of_maps_map_ops;
extern const struct map_ops queue_map_ops;
extern const struct map_ops stack_map_ops;
extern const struct map_ops lpm_trie_map_ops;
/* Network devices (devmap.c). */
extern const struct map_ops devmap_map_ops;
extern const struct map_ops redirect_map_ops; /* CPUMAP, XSKMAP: cpumap_xskmap.c */
/* Cgroups (cgroup_array.c). */
extern const struct map_ops cgroup_array_map_ops;
/* Sockets, as far as user space sees them (sockmap.c). */
extern const struct map_ops sockmap_map_ops;
extern const struct map_ops reuseport_array_map_ops; /* always empty: reuseport_array.c */
/* Keyed by kernel objects bpfvm has none of (kernel_keyed.c). */
extern const struct map_ops stack_trace_map_ops;
extern const struct map_ops local_storage_map_ops;

const struct map_ops *map_ops_for_type(uint32_t type)
{
	switch (type) {
	/* Hash maps: hash.c, hash_lru.c, hash_of_maps.c */
	case BPF_MAP_TYPE_HASH:
		return &hash_map_ops;
	case BPF_MAP_TYPE_LRU_HASH:
		return &hash_lru_map_ops;
	case BPF_MAP_TYPE_PERCPU_HASH:
		return &hash_percpu_map_ops;
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		return &hash_lru_percpu_map_ops;
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		return &hash_of_maps_map_ops;
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
	/* Output streams: perf_event_array.c, ringbuf.c */
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		return &perf_event_array_map_ops;
	case BPF_MAP_TYPE_RINGBUF:
		return &ringbuf_map_ops;
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH:
		return &devmap_map_ops;
	case BPF_MAP_TYPE_CPUMAP: case BPF_MAP_TYPE_XSKMAP: return &redirect_map_ops;
	case BPF_MAP_TYPE_SOCKMAP:
	case BPF_MAP_TYPE_SOCKHASH:
		return &sockmap_map_ops;
	case BPF_MAP_TYPE_REUSEPORT_SOCKARRAY:
		return &reuseport_array_map_ops;
	case BPF_MAP_TYPE_CGROUP_ARRAY:
		return &cgroup_array_map_ops;
	case BPF_MAP_TYPE_STACK_TRACE:
		return &stack_trace_map_ops;
	case BPF_MAP_TYPE_SK_STORAGE:
	case BPF_MAP_TYPE_INODE_STORAGE:
	case BPF_MAP_TYPE_TASK_STORAGE:
		return &local_storage_map_ops;
	default:
		return NULL;
	}
}
