/* BPF_MAP_TYPE_ARRAY_OF_MAPS: an array of references to maps that all match
 * the template given at creation (map_in_map.h). The layout is the one of
 * every array of references (fd_array.h), followed by the shared part of a
 * map of maps (map_in_map.h). User space stores and reads map ids; a
 * program's lookup returns the inner struct bpfvm_map *.
 *
 * Private, the slots hold map pointers (one reference each) that programs
 * read. Shared (a namespace's file), ids[] is all there is: holds keep the
 * inner maps across processes, and each process resolves ids to its own
 * handles (map_in_map_local, in fd_array_private.family_local). */
#include <errno.h>

#include "core/error.h"
#include "maps/array.h"
#include "maps/fd_array.h"
#include "maps/map.h"
#include "maps/map_in_map.h"

static int array_of_maps_get(struct bpfvm_map *map, uint32_t id, void **object)
{
	return map_in_map_get_inner(map, id, (struct bpfvm_map **)object);
}

static const struct fd_array_ops array_of_maps_fd_ops = {
	.get = array_of_maps_get,
	.put = map_in_map_put_inner,
};

/* Shared: map_in_map_write has checked the map and the holds keep it;
 * this process's slots stay empty (programs read ids[]). */
static int array_of_maps_get_shared(struct bpfvm_map *map, uint32_t id, void **object)
{
	*object = NULL;
	return 0;
}

static const struct fd_array_ops array_of_maps_shared_fd_ops = {
	.get = array_of_maps_get_shared,
};

static struct map_in_map_local *array_of_maps_local(const struct bpfvm_map *map)
{
	return ((struct fd_array_private *)map->private)->family_local;
}

static int array_of_maps_check_attr(const struct map_attr *attr)
{
	int err = fd_array_check_attr(attr);

	return err ? err : map_in_map_check_template(attr);
}

static size_t array_of_maps_region_size(const struct map_attr *attr)
{
	return map_in_map_region_size(fd_array_region_size(attr));
}

static void array_of_maps_release(struct bpfvm_map *map)
{
	if (map->shared && map->private) {
		map_in_map_local_free(array_of_maps_local(map));
		fd_array_release(map, &array_of_maps_shared_fd_ops);
		return;
	}
	fd_array_release(map, &array_of_maps_fd_ops);
}

/* The process-local side: a shared array's handles of its inner maps. */
static int array_of_maps_open(struct bpfvm_map *map)
{
	int err = fd_array_open(map);
	struct fd_array_private *private = map->private;

	if (err)
		return err;
	private->family_local = map_in_map_local_new(map);
	if (!private->family_local) {
		fd_array_release(map, NULL);
		return -ENOMEM;
	}
	return 0;
}

static int array_of_maps_init(struct bpfvm_map *map)
{
	int err = fd_array_init(map);

	if (err)
		return err;
	err = map_in_map_init(map);
	if (!err && map->shared) {
		struct fd_array_private *private = map->private;

		private->family_local = map_in_map_local_new(map);
		err = private->family_local ? 0 : -ENOMEM;
	}
	if (err)
		fd_array_release(map, NULL);
	return err;
}

static uint32_t array_of_maps_read_id(struct bpfvm_map *map, const void *key)
{
	uint32_t id;

	return fd_array_lookup(map, key, &id, 0) ? 0 : id;
}

static void *array_of_maps_bpf_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	if (map->shared)
		return map_in_map_bpf_lookup(map, array_of_maps_local(map), key,
					     array_of_maps_read_id);
	return fd_array_get(map, map_key_index(key));
}

static int array_of_maps_apply(struct bpfvm_map *map, const struct map_in_map_write *write)
{
	if (write->id)
		return fd_array_update(map, &array_of_maps_shared_fd_ops, write->key, &write->id,
				       write->flags);
	return fd_array_delete(map, &array_of_maps_shared_fd_ops, write->key);
}

static int array_of_maps_update(struct bpfvm_map *map, const void *key, const void *value,
				uint64_t flags)
{
	struct map_in_map_write write = { .key = key, .flags = flags };

	if (!map->shared)
		return fd_array_update(map, &array_of_maps_fd_ops, key, value, flags);
	/* The kernel checks flags and index before it looks at the map. */
	if (flags != BPF_ANY || map_key_index(key) >= map_max_entries(map))
		return fd_array_update(map, &array_of_maps_shared_fd_ops, key, value, flags);
	memcpy(&write.id, value, sizeof(write.id));
	if (!write.id) {
		vm_error("map '%.16s': no map with id 0", map->region->name);
		return -EBADF;
	}
	return map_in_map_write(map, &write, array_of_maps_apply);
}

static int array_of_maps_delete(struct bpfvm_map *map, const void *key)
{
	struct map_in_map_write write = { .key = key };

	if (!map->shared)
		return fd_array_delete(map, &array_of_maps_fd_ops, key);
	return map_in_map_write(map, &write, array_of_maps_apply);
}

const struct map_ops array_of_maps_map_ops = {
	/* Shared: ids in the region, handles in each process; lookups only
	 * read the region. */
	.share = MAP_SHARE_RO,
	.batch_ops = MAP_BATCH_LOOKUP | MAP_BATCH_UPDATE,
	.check_attr = array_of_maps_check_attr,
	.region_size = array_of_maps_region_size,
	.local_size = fd_array_local_size,
	.check_region = fd_array_check_region,
	.init = array_of_maps_init,
	.open = array_of_maps_open,
	.release = array_of_maps_release,
	.bpf_lookup = array_of_maps_bpf_lookup,
	.lookup = fd_array_lookup,
	.update = array_of_maps_update,
	.delete = array_of_maps_delete,
	.get_next_key = array_get_next_key,
};
