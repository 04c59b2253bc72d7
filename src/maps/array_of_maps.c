/* BPF_MAP_TYPE_ARRAY_OF_MAPS: an array of references to maps that all match
 * the template given at creation (map_in_map.h). The layout is the one of
 * every array of references (fd_array.h): map ids in the region, map
 * pointers (one reference each) in this process. User space stores and reads
 * map ids; a program's lookup returns the inner struct bpfvm_map *. */
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

static int array_of_maps_check_attr(const struct map_attr *attr)
{
	int err = fd_array_check_attr(attr);

	return err ? err : map_in_map_check_template(attr);
}

static void array_of_maps_release(struct bpfvm_map *map)
{
	fd_array_release(map, &array_of_maps_fd_ops);
}

static void *array_of_maps_bpf_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	return fd_array_get(map, map_key_index(key));
}

static int array_of_maps_update(struct bpfvm_map *map, const void *key, const void *value,
				uint64_t flags)
{
	return fd_array_update(map, &array_of_maps_fd_ops, key, value, flags);
}

static int array_of_maps_delete(struct bpfvm_map *map, const void *key)
{
	return fd_array_delete(map, &array_of_maps_fd_ops, key);
}

const struct map_ops array_of_maps_map_ops = {
	.share_refusal = "its slots name maps by ids of this process (shared map-in-map: not yet)",
	.batch_ops = MAP_BATCH_LOOKUP | MAP_BATCH_UPDATE,
	.check_attr = array_of_maps_check_attr,
	.region_size = fd_array_region_size,
	.init = fd_array_init,
	.release = array_of_maps_release,
	.bpf_lookup = array_of_maps_bpf_lookup,
	.lookup = fd_array_lookup,
	.update = array_of_maps_update,
	.delete = array_of_maps_delete,
	.get_next_key = array_get_next_key,
};
