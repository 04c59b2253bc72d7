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
 * region header's inner_* fields): map_in_map.c, shared with ARRAY_OF_MAPS.
 */
#include <errno.h>
#include <string.h>

#include "core/error.h"
#include "core/runtime.h"
#include "maps/hash.h"
#include "maps/map_in_map.h"

static int hash_of_maps_check_attr(const struct map_attr *attr)
{
	int err;

	/* The kernel's order: fd_htab_map_alloc_check (value_size, then the
	 * hash checks), then bpf_map_meta_alloc (the template). */
	if (attr->value_size != sizeof(uint32_t)) {
		vm_error("map '%.16s': value_size of a map of maps must be 4, not %u", attr->name,
			 attr->value_size);
		return -EINVAL;
	}
	err = hash_check_attr(attr);
	return err ? err : map_in_map_check_template(attr);
}

static void hash_of_maps_put_id(struct bpfvm_map *map, uint32_t id)
{
	struct bpfvm_map *inner = id_table_find(&map->vm->map_ids, id);

	if (inner)
		map_in_map_put_inner(inner);
}

static int hash_of_maps_update(struct bpfvm_map *map, const void *key, const void *value,
			       uint64_t flags)
{
	struct bpfvm_map *inner;
	uint32_t id, old_id;
	bool replaced;
	int err;

	memcpy(&id, value, sizeof(id));
	err = map_in_map_get_inner(map, id, &inner);
	if (err)
		return err;
	err = hash_update_elem(map, key, &id, flags, hash_user_cpu(map), false, &old_id,
			       &replaced);
	if (err) {
		map_in_map_put_inner(inner);
		return hash_update_error(map, err, flags);
	}
	if (replaced)
		hash_of_maps_put_id(map, old_id);
	return 0;
}

static int hash_of_maps_delete(struct bpfvm_map *map, const void *key)
{
	uint32_t old_id;

	if (hash_delete_elem(map, key, &old_id, 0))
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
	return -MAP_ENOTSUPP;
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
	.share_refusal = "its values name maps by ids of this process (shared map-in-map: not yet)",
	.batch_ops = HASH_BATCH_OPS,
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
