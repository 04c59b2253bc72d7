/* HASH_OF_MAPS: a hash map whose values are maps (kernel/bpf/hashtab.c's
 * htab_of_maps and kernel/bpf/map_in_map.c).
 *
 * The region stores each value as the inner map's id (4 bytes), never a
 * pointer, so the region stays position-independent. User space writes and
 * reads ids; a program's lookup gets the inner struct bpfvm_map *, found by
 * id in the runtime. The map holds a reference on every inner map it
 * stores, dropped when the value is replaced or deleted and when the map
 * goes away.
 *
 * Every inner map must match the template given at creation (stored in the
 * region header's inner_* fields), as the kernel's map_meta_equal: same
 * type, key_size, value_size and map_flags; for array types also the same
 * max_entries unless the template has BPF_F_INNER_MAP.
 */
#include <errno.h>
#include <string.h>

#include "core/error.h"
#include "core/runtime.h"
#include "maps/hash.h"

/* Map types that the kernel refuses as inner maps (no map_meta_equal). */
static bool hash_of_maps_inner_type_supported(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_PROG_ARRAY:
	case BPF_MAP_TYPE_CGROUP_STORAGE:
	case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
	case BPF_MAP_TYPE_STRUCT_OPS:
		return false;
	default:
		return true;
	}
}

static bool hash_of_maps_type_is_map_in_map(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

static int hash_of_maps_check_template(const struct map_attr *attr)
{
	const struct bpfvm_map *inner = attr->inner_map;

	if (!inner) {
		vm_error("map '%.16s': a map of maps needs an inner map template", attr->name);
		return -EINVAL;
	}
	if (hash_of_maps_type_is_map_in_map(map_type(inner))) {
		vm_error("map '%.16s': inner map '%.16s' is itself a map of maps", attr->name,
			 inner->region->name);
		return -EINVAL;
	}
	if (!hash_of_maps_inner_type_supported(map_type(inner))) {
		vm_error("map '%.16s': map type %u cannot be an inner map", attr->name,
			 map_type(inner));
		return -ENOTSUPP;
	}
	return 0;
}

static int hash_of_maps_check_attr(const struct map_attr *attr)
{
	int err;

	if (attr->value_size != sizeof(uint32_t)) {
		vm_error("map '%.16s': value_size of a map of maps must be 4, not %u", attr->name,
			 attr->value_size);
		return -EINVAL;
	}
	err = hash_check_attr(attr);
	return err ? err : hash_of_maps_check_template(attr);
}

/* The kernel's map_meta_equal; names the first field that differs. */
static const char *hash_of_maps_mismatch(const struct map_region *outer,
					 const struct map_region *inner)
{
	bool array = outer->inner_type == BPF_MAP_TYPE_ARRAY ||
		     outer->inner_type == BPF_MAP_TYPE_PERCPU_ARRAY;

	if (inner->type != outer->inner_type)
		return "type";
	if (inner->key_size != outer->inner_key_size)
		return "key_size";
	if (inner->value_size != outer->inner_value_size)
		return "value_size";
	if (inner->map_flags != outer->inner_map_flags)
		return "map_flags";
	if (array && !(outer->inner_map_flags & BPF_F_INNER_MAP) &&
	    inner->max_entries != outer->inner_max_entries)
		return "max_entries";
	return NULL;
}

static void hash_of_maps_put_id(struct bpfvm_map *map, uint32_t id)
{
	struct bpfvm_map *inner = id_table_find(&map->vm->map_ids, id);

	if (inner)
		map_put(inner);
}

/* The inner map behind a user-supplied id, with a new reference. */
static int hash_of_maps_get_inner(struct bpfvm_map *map, uint32_t id, struct bpfvm_map **out)
{
	struct bpfvm_map *inner = id ? id_table_find(&map->vm->map_ids, id) : NULL;
	const char *field;

	if (!inner) {
		vm_error("map '%.16s': no map with id %u", map->region->name, id);
		return -EBADF;
	}
	field = hash_of_maps_mismatch(map->region, inner->region);
	if (field) {
		vm_error("map '%.16s': inner map '%.16s' (id %u) differs from the template in %s",
			 map->region->name, inner->region->name, id, field);
		return -EINVAL;
	}
	map_get(inner);
	*out = inner;
	return 0;
}

static int hash_of_maps_update(struct bpfvm_map *map, const void *key, const void *value,
			       uint64_t flags)
{
	struct bpfvm_map *inner;
	uint32_t id, old_id;
	bool replaced;
	int err;

	memcpy(&id, value, sizeof(id));
	err = hash_of_maps_get_inner(map, id, &inner);
	if (err)
		return err;
	err = hash_update_elem(map, key, &id, flags, hash_user_cpu(map), false, &old_id,
			       &replaced);
	if (err) {
		map_put(inner);
		return hash_update_error(map, err, flags);
	}
	if (replaced)
		hash_of_maps_put_id(map, old_id);
	return 0;
}

static int hash_of_maps_delete(struct bpfvm_map *map, const void *key)
{
	uint32_t old_id;

	if (hash_delete_elem(map, key, &old_id))
		return hash_not_found(map);
	hash_of_maps_put_id(map, old_id);
	return 0;
}

static int hash_of_maps_lookup_and_delete(struct bpfvm_map *map, const void *key, void *value,
					  uint64_t flags)
{
	/* The kernel's BPF_MAP_LOOKUP_AND_DELETE_ELEM: only the four hash types. */
	vm_error("map '%.16s': lookup_and_delete is not supported for maps of maps",
		 map->region->name);
	return -ENOTSUPP;
}

static void *hash_of_maps_bpf_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	struct hash_elem *elem = hash_find(map, key);
	uint32_t id;

	if (!elem)
		return NULL;
	memcpy(&id, hash_elem_value(hash_table(map), elem, 0), sizeof(id));
	return id_table_find(&map->vm->map_ids, id);
}

/* Drops the references of every stored inner map. Nothing else uses the
 * map any more. */
static void hash_of_maps_release(struct bpfvm_map *map)
{
	struct hash_table *table = hash_table(map);

	if (!map->region || !map->region->family[HASH_FAMILY_TABLE])
		return; /* init never ran */
	for (uint32_t index = 0; index < table->n_buckets; index++) {
		struct hash_bucket *bucket =
			(struct hash_bucket *)map_at(map, table->buckets_off) + index;
		uint64_t link = atomic_load(&bucket->first);

		while (!(link & 1)) {
			struct hash_elem *elem = map_at(map, link);
			uint32_t id;

			memcpy(&id, hash_elem_value(table, elem, 0), sizeof(id));
			hash_of_maps_put_id(map, id);
			link = atomic_load(&elem->next);
		}
	}
}

const struct map_ops hash_of_maps_map_ops = {
	.check_attr = hash_of_maps_check_attr,
	.region_size = hash_region_size,
	.init = hash_init,
	.release = hash_of_maps_release,
	.bpf_lookup = hash_of_maps_bpf_lookup,
	.lookup = hash_lookup,
	.update = hash_of_maps_update,
	.delete = hash_of_maps_delete,
	.get_next_key = hash_get_next,
	.lookup_and_delete = hash_of_maps_lookup_and_delete,
};
