/* Arrays of references (PROG_ARRAY, ARRAY_OF_MAPS): the layout is pictured
 * in fd_array.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "maps/array.h"
#include "maps/fd_array.h"
#include "maps/map_lock.h"

struct fd_array_hdr {
	struct map_lock lock;
};


#define FD_ARRAY_IDS_OFFSET \
	(MAP_FAMILY_DATA_OFFSET + ((sizeof(struct fd_array_hdr) + 63) / 64) * 64)

static struct fd_array_hdr *fd_array_hdr(const struct bpfvm_map *map)
{
	return map_at(map, MAP_FAMILY_DATA_OFFSET);
}

static _Atomic uint32_t *fd_array_ids(const struct bpfvm_map *map)
{
	return map_at(map, map->region->family[0]);
}

static struct fd_array_private *fd_array_private(const struct bpfvm_map *map)
{
	return map->private;
}

int fd_array_check_attr(const struct map_attr *attr)
{
	if (attr->value_size != sizeof(uint32_t)) {
		vm_error("map '%.16s': value_size must be 4 (an id), not %u", attr->name,
			 attr->value_size);
		return -EINVAL;
	}
	if (attr->map_flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) {
		vm_error("map '%.16s': BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG are not valid for "
			 "this map type", attr->name);
		return -EINVAL;
	}
	return array_check_attr(attr);
}

size_t fd_array_region_size(const struct map_attr *attr)
{
	return FD_ARRAY_IDS_OFFSET + (size_t)attr->max_entries * sizeof(uint32_t);
}

int fd_array_init(struct bpfvm_map *map)
{
	struct fd_array_private *private;
	int err;

	private = calloc(1, sizeof(*private) + (size_t)map_max_entries(map) * sizeof(void *));
	if (!private) {
		vm_error("map '%.16s': out of memory for %u slots", map->region->name,
			 map_max_entries(map));
		return -ENOMEM;
	}
	private->slot_cnt = map_max_entries(map);
	err = map_lock_init(&fd_array_hdr(map)->lock);
	if (err) {
		free(private);
		vm_error("map '%.16s': cannot initialise its lock", map->region->name);
		return err;
	}
	map->region->family[0] = FD_ARRAY_IDS_OFFSET;
	map->private = private;
	return 0;
}

void fd_array_release(struct bpfvm_map *map, const struct fd_array_ops *ops)
{
	struct fd_array_private *private = fd_array_private(map);

	if (!private)
		return;
	if (ops->put)
		for (uint32_t i = 0; i < map_max_entries(map); i++)
			if (private->slots[i])
				ops->put(private->slots[i]);
	free(private);
	map->private = NULL;
}

int fd_array_lookup(struct bpfvm_map *map, const void *key, void *value, uint64_t flags)
{
	uint32_t index = map_key_index(key);
	uint32_t id;

	if (index >= map_max_entries(map))
		return -ENOENT;
	id = atomic_load_explicit(&fd_array_ids(map)[index], memory_order_acquire);
	if (!id)
		return -ENOENT;
	memcpy(value, &id, sizeof(id));
	return 0;
}

/* Stores (id, object) in slot `index` and drops the reference to what was
 * there (its holder frees it only after a grace period: runs that loaded it
 * may still be inside). Returns 1 if the slot held something, 0 if it was
 * empty, or -errno (nothing changed). */
static int fd_array_exchange(struct bpfvm_map *map, const struct fd_array_ops *ops,
			     uint32_t index, uint32_t id, void *object)
{
	struct fd_array_private *private = fd_array_private(map);
	struct fd_array_hdr *hdr = fd_array_hdr(map);
	int err = map_lock_acquire(&hdr->lock);
	void *old;

	/* A dead holder left at worst one slot's id out of step with its
	 * object, which the next write of that slot mends: nothing to repair
	 * on MAP_LOCK_RECOVERED. */
	if (err < 0) {
		vm_error("map '%.16s': cannot take its lock", map->region->name);
		return err;
	}
	old = atomic_exchange_explicit(&private->slots[index], object, memory_order_acq_rel);
	atomic_store_explicit(&fd_array_ids(map)[index], id, memory_order_release);
	map_lock_release(&hdr->lock);
	if (ops->changed)
		ops->changed(map, index);
	if (old && ops->put)
		ops->put(old);
	return old != NULL;
}

int fd_array_update(struct bpfvm_map *map, const struct fd_array_ops *ops, const void *key,
		    const void *value, uint64_t flags)
{
	uint32_t index = map_key_index(key);
	uint32_t id;
	void *object;
	int err;

	if (flags != BPF_ANY) {
		vm_error("map '%.16s': only BPF_ANY can update this map type", map->region->name);
		return -EINVAL;
	}
	if (index >= map_max_entries(map)) {
		vm_error("map '%.16s': index %u is out of range (max_entries %u)", map->region->name,
			 index, map_max_entries(map));
		return -E2BIG;
	}
	memcpy(&id, value, sizeof(id));
	err = ops->get(map, id, &object);
	if (err)
		return err;
	err = fd_array_exchange(map, ops, index, id, object);
	if (err < 0 && ops->put)
		ops->put(object);
	return err < 0 ? err : 0;
}

int fd_array_delete(struct bpfvm_map *map, const struct fd_array_ops *ops, const void *key)
{
	uint32_t index = map_key_index(key);

	int err;

	if (index >= map_max_entries(map))
		return -E2BIG;
	err = fd_array_exchange(map, ops, index, 0, NULL);
	return err < 0 ? err : err ? 0 : -ENOENT;
}

void fd_array_clear(struct bpfvm_map *map, const struct fd_array_ops *ops)
{
	for (uint32_t i = 0; i < map_max_entries(map); i++)
		if (fd_array_get(map, i))
			fd_array_exchange(map, ops, i, 0, NULL);
}
