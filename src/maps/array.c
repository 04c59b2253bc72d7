/* BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY (kernel/bpf/arraymap.c).
 *
 * Every element exists from creation, zeroed; elements are never deleted.
 * Values are 8-byte aligned (elem_size = round_up(value_size, 8)) so that
 * programs may use 64-bit atomics on them.
 *
 *   ARRAY                                    PERCPU_ARRAY
 *   +---------------------------+ 0          +---------------------------+ 0
 *   | struct map_region         |            | struct map_region         |
 *   |   family[0] = values ─────┼─┐          |   family[0] = values ─────┼─┐
 *   +---------------------------+ │          +---------------------------+ │
 *   | (BPF_F_MMAPABLE: pad to   | │          | value[0] cpu 0            |◄┘
 *   |  a page boundary)         | │          | value[0] cpu 1            |
 *   | value[0]                  |◄┘          |   ... nr_cpus values ...  |
 *   | value[1]                  |            | value[1] cpu 0            |
 *   |   ... max_entries ...     |            |   ...                     |
 *   +---------------------------+            +---------------------------+
 *                                    each value: round_up(value_size, 8) bytes
 *
 * A per-CPU element's values are contiguous, in CPU order: exactly the
 * user-space layout (SEMANTICS.md: per-CPU maps), so user lookups and updates
 * are one copy. Updates are plain copies, unlocked, as in the kernel: a
 * concurrent reader may see a value half written, unless both sides hold
 * the value's bpf_spin_lock (BPF_F_LOCK, map_value.h), which copies never
 * overwrite.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "core/error.h"
#include "maps/array.h"
#include "maps/map.h"
#include "maps/map_value.h"

#define ARRAY_PAGE_SIZE 4096u
/* PCPU_MIN_UNIT_SIZE: the largest per-CPU value the kernel can allocate. */
#define ARRAY_PERCPU_VALUE_MAX (32u * 1024u)

#define ARRAY_CREATE_FLAG_MASK                                                       \
	(BPF_F_NUMA_NODE | BPF_F_MMAPABLE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | \
	 BPF_F_WRONLY_PROG | BPF_F_PRESERVE_ELEMS | BPF_F_INNER_MAP)

static uint32_t array_elem_size(uint32_t value_size)
{
	return (value_size + 7u) & ~7u;
}

int array_check_attr(const struct map_attr *attr)
{
	bool percpu = attr->type == BPF_MAP_TYPE_PERCPU_ARRAY;

	if (attr->max_entries == 0 || attr->key_size != 4 || attr->value_size == 0) {
		vm_error("map '%.16s': an array needs key_size 4 (got %u), value_size > 0 (got %u) "
			 "and max_entries > 0 (got %u)",
			 attr->name, attr->key_size, attr->value_size, attr->max_entries);
		return -EINVAL;
	}
	if (attr->map_flags & ~ARRAY_CREATE_FLAG_MASK) {
		vm_error("map '%.16s': flags 0x%x are not valid for an array", attr->name,
			 attr->map_flags & ~ARRAY_CREATE_FLAG_MASK);
		return -EINVAL;
	}
	if (percpu && (attr->map_flags & BPF_F_NUMA_NODE)) {
		vm_error("map '%.16s': a per-CPU array cannot have a NUMA node", attr->name);
		return -EINVAL;
	}
	if (attr->type != BPF_MAP_TYPE_ARRAY && (attr->map_flags & (BPF_F_MMAPABLE | BPF_F_INNER_MAP))) {
		vm_error("map '%.16s': BPF_F_MMAPABLE and BPF_F_INNER_MAP are for BPF_MAP_TYPE_ARRAY only",
			 attr->name);
		return -EINVAL;
	}
	if (attr->type != BPF_MAP_TYPE_PERF_EVENT_ARRAY && (attr->map_flags & BPF_F_PRESERVE_ELEMS)) {
		vm_error("map '%.16s': BPF_F_PRESERVE_ELEMS is for perf event arrays only", attr->name);
		return -EINVAL;
	}
	if (attr->value_size > INT_MAX ||
	    (percpu && array_elem_size(attr->value_size) > ARRAY_PERCPU_VALUE_MAX)) {
		vm_error("map '%.16s': value_size %u is too large", attr->name, attr->value_size);
		return -E2BIG;
	}
	return 0;
}

int array_get_next_key(struct bpfvm_map *map, const void *key, void *next_key)
{
	uint32_t index = key ? map_key_index(key) : UINT32_MAX;

	if (index >= map_max_entries(map)) {
		*(uint32_t *)next_key = 0;
		return 0;
	}
	if (index == map_max_entries(map) - 1)
		return -ENOENT;
	*(uint32_t *)next_key = index + 1;
	return 0;
}

static size_t array_values_offset(uint32_t map_flags)
{
	return map_flags & BPF_F_MMAPABLE ? ARRAY_PAGE_SIZE : MAP_FAMILY_DATA_OFFSET;
}

static size_t array_region_size(const struct map_attr *attr)
{
	uint64_t copies = attr->type == BPF_MAP_TYPE_PERCPU_ARRAY ? attr->nr_cpus : 1;
	uint64_t elem = array_elem_size(attr->value_size);
	/* Each factor is below 2^32: the product of two fits, of three may
	 * not. */
	uint64_t per_entry = elem * copies;

	if (per_entry && attr->max_entries > (SIZE_MAX - ARRAY_PAGE_SIZE) / per_entry)
		return SIZE_MAX;
	return array_values_offset(attr->map_flags) + per_entry * attr->max_entries;
}

static int array_init(struct bpfvm_map *map)
{
	map->region->family[0] = array_values_offset(map_flags(map));
	return 0;
}

static int array_check_region(const struct map_region *region, const char **why)
{
	if (region->family[0] != array_values_offset(region->map_flags)) {
		*why = "the values' offset is not the one its flags give";
		return -EINVAL;
	}
	return 0;
}

/* The first byte of element `index` (of CPU 0 for per-CPU arrays). */
static uint8_t *array_elem(const struct bpfvm_map *map, uint32_t index)
{
	uint64_t copies = map->ops->percpu ? map_nr_cpus(map) : 1;

	return (uint8_t *)map_at(map, map->region->family[0]) +
	       (uint64_t)index * copies * array_elem_size(map_value_size(map));
}

/* ---- Program side ---------------------------------------------------- */

bool array_inline_layout(const struct bpfvm_map *map, struct array_inline *layout)
{
	bool percpu = map_type(map) == BPF_MAP_TYPE_PERCPU_ARRAY;
	uint64_t elem = array_elem_size(map_value_size(map));

	if (map_type(map) != BPF_MAP_TYPE_ARRAY && !percpu)
		return false;
	layout->base = array_elem(map, 0);
	layout->nr_cpus = percpu ? map_nr_cpus(map) : 1;
	layout->stride = elem * layout->nr_cpus;
	layout->cpu_stride = percpu ? map_percpu_stride(map) : 0;
	layout->max_entries = map_max_entries(map);
	return true;
}

static void *array_bpf_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	uint32_t index = map_key_index(key);

	if (index >= map_max_entries(map))
		return NULL;
	return array_elem(map, index);
}

static void *percpu_array_bpf_lookup_percpu(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	uint32_t index = map_key_index(key);

	if (index >= map_max_entries(map) || cpu >= map_nr_cpus(map))
		return NULL;
	return array_elem(map, index) + (uint64_t)cpu * map_percpu_stride(map);
}

static void *percpu_array_bpf_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	return percpu_array_bpf_lookup_percpu(map, key, cpu);
}

/* The kernel's array_map_update_elem checks, shared by both sides. */
static int array_check_update(struct bpfvm_map *map, uint32_t index, uint64_t flags,
			      bool lock_allowed)
{
	uint64_t mode = lock_allowed ? flags & ~(uint64_t)BPF_F_LOCK : flags;

	if (mode > BPF_EXIST)
		return -EINVAL;
	if (index >= map_max_entries(map))
		return -E2BIG;
	if (flags & BPF_NOEXIST)
		return -EEXIST;
	if ((flags & BPF_F_LOCK) && !map_has_spin_lock(map))
		return -EINVAL;
	return 0;
}

static long array_bpf_update(struct bpfvm_map *map, const void *key, const void *value,
			     uint64_t flags, uint32_t cpu)
{
	uint32_t index = map_key_index(key);
	int err = array_check_update(map, index, flags, !map->ops->percpu);

	if (err)
		return err;
	if (map->ops->percpu) {
		void *mine = percpu_array_bpf_lookup(map, key, cpu);

		if (!mine)
			return -EINVAL; /* a CPU the map has no value for */
		memcpy(mine, value, map_value_size(map));
	} else {
		map_value_write(map, array_elem(map, index), value, flags);
	}
	return 0;
}

static long array_bpf_delete(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	return -EINVAL;
}

static long array_bpf_for_each(struct bpfvm_map *map, uint32_t cpu,
			       long (*cb)(struct bpfvm_map *map, void *key, void *value, void *cb_ctx),
			       void *cb_ctx)
{
	long visited = 0;

	for (uint32_t i = 0; i < map_max_entries(map); i++) {
		uint32_t key = i;
		void *value = map->ops->percpu ? percpu_array_bpf_lookup(map, &key, cpu)
					       : array_elem(map, i);

		visited++;
		if (cb(map, &key, value, cb_ctx))
			break;
	}
	return visited;
}

static int array_direct_value_addr(struct bpfvm_map *map, uint32_t off, void **addr)
{
	if (map_max_entries(map) != 1)
		return -MAP_ENOTSUPP;
	if (off >= map_value_size(map))
		return -EINVAL;
	*addr = array_elem(map, 0) + off;
	return 0;
}

/* ---- User side ------------------------------------------------------- */

static int array_lookup(struct bpfvm_map *map, const void *key, void *value, uint64_t flags)
{
	uint32_t index = map_key_index(key);

	if (index >= map_max_entries(map))
		return -ENOENT;
	map_value_read(map, value, array_elem(map, index), flags);
	return 0;
}

static int percpu_array_lookup(struct bpfvm_map *map, const void *key, void *value,
			       uint64_t flags)
{
	uint32_t index = map_key_index(key);

	if (index >= map_max_entries(map))
		return -ENOENT;
	memcpy(value, array_elem(map, index), (size_t)map_percpu_stride(map) * map_nr_cpus(map));
	return 0;
}

static int array_update(struct bpfvm_map *map, const void *key, const void *value,
			uint64_t flags)
{
	return (int)array_bpf_update(map, key, value, flags, 0);
}

static int percpu_array_update(struct bpfvm_map *map, const void *key, const void *value,
			       uint64_t flags)
{
	uint32_t index = map_key_index(key);
	int err = array_check_update(map, index, flags, false);

	if (err)
		return err;
	memcpy(array_elem(map, index), value, (size_t)map_percpu_stride(map) * map_nr_cpus(map));
	return 0;
}

static int array_delete(struct bpfvm_map *map, const void *key)
{
	return -EINVAL;
}

const struct map_ops array_map_ops = {
	.share = MAP_SHARE_RO,
	.check_region = array_check_region,
	.batch_ops = MAP_BATCH_LOOKUP | MAP_BATCH_UPDATE,
	.check_attr = array_check_attr,
	.region_size = array_region_size,
	.init = array_init,
	.bpf_lookup = array_bpf_lookup,
	.bpf_update = array_bpf_update,
	.bpf_delete = array_bpf_delete,
	.bpf_for_each = array_bpf_for_each,
	.direct_value_addr = array_direct_value_addr,
	.lookup = array_lookup,
	.update = array_update,
	.delete = array_delete,
	.get_next_key = array_get_next_key,
};

const struct map_ops percpu_array_map_ops = {
	.share = MAP_SHARE_RO,
	.check_region = array_check_region,
	.percpu = true,
	.batch_ops = MAP_BATCH_LOOKUP | MAP_BATCH_UPDATE,
	.check_attr = array_check_attr,
	.region_size = array_region_size,
	.init = array_init,
	.bpf_lookup = percpu_array_bpf_lookup,
	.bpf_update = array_bpf_update,
	.bpf_delete = array_bpf_delete,
	.bpf_for_each = array_bpf_for_each,
	.bpf_lookup_percpu = percpu_array_bpf_lookup_percpu,
	.lookup = percpu_array_lookup,
	.update = percpu_array_update,
	.delete = array_delete,
	.get_next_key = array_get_next_key,
};
