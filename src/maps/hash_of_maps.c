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
 *
 * Shared (a namespace's file), the region is a hash like any shared HASH
 * (its bucket locks and their repair after a dead writer), followed by the
 * shared part of a map of maps: the references are holds across processes,
 * and each process resolves ids to its own handles (map_in_map_local, in
 * map->private). See map_in_map.h.
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

static size_t hash_of_maps_region_size(const struct map_attr *attr)
{
	return map_in_map_region_size(hash_region_size(attr));
}

/* The hash's own checks: its layout is the one of a HASH with these
 * attributes, the shared part follows at the end. */
static int hash_of_maps_check_region(const struct map_region *region, const char **why)
{
	return map_ops_for_type(BPF_MAP_TYPE_HASH)->check_region(region, why);
}

static int hash_of_maps_open(struct bpfvm_map *map)
{
	map->private = map_in_map_local_new(map);
	return map->private ? 0 : -ENOMEM;
}

static int hash_of_maps_init(struct bpfvm_map *map)
{
	int err = hash_init(map);

	if (!err)
		err = map_in_map_init(map);
	if (!err && map->shared)
		err = hash_of_maps_open(map);
	return err;
}

static void hash_of_maps_put_id(struct bpfvm_map *map, uint32_t id)
{
	struct bpfvm_map *inner = id_table_find(&map->vm->map_ids, id);

	if (inner)
		map_in_map_put_inner(inner);
}

/* A shared map's write, under map_in_map_write's lock and holds. */
static int hash_of_maps_apply(struct bpfvm_map *map, const struct map_in_map_write *write)
{
	int err;

	if (!write->id)
		return hash_delete_elem(map, write->key, NULL, 0) ? hash_not_found(map) : 0;
	err = hash_update_elem(map, write->key, &write->id, write->flags, hash_user_cpu(map), false,
			       NULL, NULL);
	return err ? hash_update_error(map, err, write->flags) : 0;
}

static int hash_of_maps_update(struct bpfvm_map *map, const void *key, const void *value,
			       uint64_t flags)
{
	struct map_in_map_write write = { .key = key, .flags = flags };
	struct bpfvm_map *inner;
	uint32_t id, old_id;
	bool replaced;
	int err;

	memcpy(&id, value, sizeof(id));
	if (map->shared) {
		write.id = id;
		if (id)
			return map_in_map_write(map, &write, hash_of_maps_apply);
		vm_error("map '%.16s': no map with id 0", map->region->name);
		return -EBADF;
	}
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
	struct map_in_map_write write = { .key = key };
	uint32_t old_id;

	if (map->shared)
		return map_in_map_write(map, &write, hash_of_maps_apply);
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

/* The id of `key`'s element, or 0. A 4-byte value is read whole: a
 * writer replacing it leaves the old id or the new. */
static uint32_t hash_of_maps_read_id(struct bpfvm_map *map, const void *key)
{
	struct hash_elem *elem = hash_find(map, key);
	uint32_t id;

	if (!elem)
		return 0;
	memcpy(&id, hash_elem_value(hash_table(map), elem, 0), sizeof(id));
	return id;
}

static void *hash_of_maps_bpf_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	if (map->shared)
		return map_in_map_bpf_lookup(map, map->private, key, hash_of_maps_read_id);
	return id_table_find(&map->vm->map_ids, hash_of_maps_read_id(map, key));
}

/* Drops the references of every stored inner map. Nothing else uses the
 * map any more. */
static void hash_of_maps_release(struct bpfvm_map *map)
{
	struct hash_table *table = hash_table(map);

	if (map->shared) {
		map_in_map_local_free(map->private); /* the holds stay with the file */
		map->private = NULL;
		return;
	}
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
	/* Shared: a hash of ids, handles in each process; lookups only read
	 * the region. */
	.share = MAP_SHARE_RO,
	.batch_ops = HASH_BATCH_OPS,
	.check_attr = hash_of_maps_check_attr,
	.region_size = hash_of_maps_region_size,
	.check_region = hash_of_maps_check_region,
	.init = hash_of_maps_init,
	.open = hash_of_maps_open,
	.release = hash_of_maps_release,
	.bpf_lookup = hash_of_maps_bpf_lookup,
	.lookup = hash_lookup,
	.update = hash_of_maps_update,
	.delete = hash_of_maps_delete,
	.get_next_key = hash_get_next,
	.lookup_and_delete = hash_of_maps_lookup_and_delete,
};
