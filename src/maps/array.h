/* What the array families share with the arrays of references (PROG_ARRAY,
 * ARRAY_OF_MAPS): the kernel's array_map_alloc_check and
 * array_map_get_next_key, which those types reuse in kernel/bpf/arraymap.c. */
#ifndef BPFVM_MAPS_ARRAY_H
#define BPFVM_MAPS_ARRAY_H

#include "maps/map.h"

/* Offset of the first byte after the region header where a family's own
 * data may start (a cache line, so that a lock does not share one with the
 * header's hot fields). */
#define MAP_FAMILY_DATA_OFFSET (((sizeof(struct map_region) + 63) / 64) * 64)

/* array_map_alloc_check: key_size 4, value_size and max_entries non-zero,
 * flags within the array's mask; -EINVAL / -E2BIG with a message. */
int array_check_attr(const struct map_attr *attr);

/* For an engine that inlines bpf_map_lookup_elem on a BPF_MAP_TYPE_ARRAY or
 * a BPF_MAP_TYPE_PERCPU_ARRAY (the kernel's array_map_gen_lookup and its
 * per-CPU form): the value of element i on CPU c is at
 * base + i * stride + c * cpu_stride, for i < max_entries and c < nr_cpus,
 * for the map's whole life. An ARRAY has one copy (nr_cpus 1, cpu_stride
 * 0). False for other map types. */
struct array_inline {
	uint8_t *base;
	uint64_t stride;
	uint64_t cpu_stride;
	uint32_t max_entries;
	uint32_t nr_cpus;
};
bool array_inline_layout(const struct bpfvm_map *map, struct array_inline *layout);

/* Index order: NULL or out-of-range key -> 0, last index -> -ENOENT. */
int array_get_next_key(struct bpfvm_map *map, const void *key, void *next_key);

#endif
