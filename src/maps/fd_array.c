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
	struct fd_array_owner owner;
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

/* ids[] starts where an array of no slots ends: a file that says
 * otherwise is refused (every slot is read from there). */
int fd_array_check_region(const struct map_region *region, const char **why)
{
	if (region->family[0] != FD_ARRAY_IDS_OFFSET) {
		*why = "its slots' offset is not the one its attributes give";
		return -EINVAL;
	}
	return 0;
}

size_t fd_array_local_size(const struct map_attr *attr)
{
	/* fd_array_open's two arrays. */
	return sizeof(struct fd_array_private) +
	       (size_t)attr->max_entries * (sizeof(void *) + sizeof(uint32_t));
}

struct fd_array_owner *fd_array_owner(const struct bpfvm_map *map)
{
	return &fd_array_hdr(map)->owner;
}

int fd_array_lock(struct bpfvm_map *map)
{
	/* A dead holder left at worst one slot's id out of step with its
	 * object, which the next write of that slot mends, or an owner half
	 * written, which only the owner's first program writes: nothing to
	 * repair on MAP_LOCK_RECOVERED. */
	int err = map_lock_acquire(&fd_array_hdr(map)->lock);

	if (err < 0)
		vm_error("map '%.16s': cannot take its lock", map->region->name);
	return err < 0 ? err : 0;
}

void fd_array_unlock(struct bpfvm_map *map)
{
	map_lock_release(&fd_array_hdr(map)->lock);
}

int fd_array_open(struct bpfvm_map *map)
{
	struct fd_array_private *private;
	uint32_t slot_cnt = map_max_entries(map);

	private = calloc(1, sizeof(*private) + (size_t)slot_cnt * sizeof(void *));
	if (private)
		private->local_ids = calloc(slot_cnt ? slot_cnt : 1, sizeof(uint32_t));
	if (!private || !private->local_ids) {
		free(private);
		vm_error("map '%.16s': cannot allocate %zu bytes for %u slots", map->region->name,
			 sizeof(*private) + (size_t)slot_cnt * (sizeof(void *) + sizeof(uint32_t)),
			 slot_cnt);
		return -ENOMEM;
	}
	private->slot_cnt = slot_cnt;
	map->private = private;
	return 0;
}

int fd_array_init(struct bpfvm_map *map)
{
	int err = fd_array_open(map);

	if (err)
		return err;
	err = map_lock_init(&fd_array_hdr(map)->lock);
	if (err) {
		vm_error("map '%.16s': cannot initialise its lock", map->region->name);
		fd_array_release(map, NULL);
		return err;
	}
	map->region->family[0] = FD_ARRAY_IDS_OFFSET;
	return 0;
}

void fd_array_release(struct bpfvm_map *map, const struct fd_array_ops *ops)
{
	struct fd_array_private *private = fd_array_private(map);

	if (!private)
		return;
	if (ops && ops->put)
		for (uint32_t i = 0; i < map_max_entries(map); i++)
			if (private->slots[i])
				ops->put(private->slots[i]);
	free(private->local_ids);
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
	bool hold = map->shared && ops->hold_id;
	int err = fd_array_lock(map);
	uint32_t old_id;
	void *old;

	if (err)
		return err;
	if (hold && id)
		ops->hold_id(map, index, id, true);
	old = atomic_exchange_explicit(&private->slots[index], object, memory_order_acq_rel);
	private->local_ids[index] = id;
	old_id = atomic_exchange_explicit(&fd_array_ids(map)[index], id, memory_order_acq_rel);
	fd_array_unlock(map);
	if (hold && old_id && old_id != id)
		ops->hold_id(map, index, old_id, false);
	if (ops->changed)
		ops->changed(map, index);
	if (old && ops->put)
		ops->put(old);
	/* ids[] is the truth: a shared array's slots here may be behind. */
	return old_id != 0;
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
		if (fd_array_get(map, i) ||
		    atomic_load_explicit(&fd_array_ids(map)[i], memory_order_acquire))
			fd_array_exchange(map, ops, i, 0, NULL);
}

/* Slot `index` of this process takes `object`, resolved from `id`, unless
 * this process's own write already brought the slot to what ids[] holds.
 * When another process moved ids[] on meanwhile, `object` still goes in:
 * its id was read after the run that syncs began, so it was in the slot
 * at a moment of that run (the kernel's rule); keeping the slot's older
 * program instead ran programs removed before the run began
 * (tests/stress/test_stress_prog_array.c). The next sync takes the new id.
 * Returns what to put: the old object, or `object` itself if unused. */
static void *fd_array_sync_slot(struct bpfvm_map *map, uint32_t index, uint32_t id,
				void *object, bool *changed)
{
	struct fd_array_private *private = fd_array_private(map);
	uint32_t now;
	void *old = object;

	if (fd_array_lock(map))
		return old;
	now = atomic_load_explicit(&fd_array_ids(map)[index], memory_order_acquire);
	if (now == id || private->local_ids[index] != now) {
		old = atomic_exchange_explicit(&private->slots[index], object,
					       memory_order_acq_rel);
		private->local_ids[index] = id;
		*changed = true;
	}
	fd_array_unlock(map);
	return old;
}

bool fd_array_sync(struct bpfvm_map *map, const struct fd_array_ops *ops)
{
	struct fd_array_private *private = fd_array_private(map);
	bool any = false;

	for (uint32_t i = 0; i < private->slot_cnt; i++) {
		uint32_t id = atomic_load_explicit(&fd_array_ids(map)[i], memory_order_acquire);
		bool changed = false;
		void *object = NULL, *old;

		if (id == private->local_ids[i])
			continue;
		/* An id this process cannot use (its program's maps are
		 * private to another process, another engine...) leaves the
		 * slot empty here: a tail call through it falls through. */
		if (id && ops->get(map, id, &object))
			object = NULL;
		old = fd_array_sync_slot(map, i, id, object, &changed);
		if (changed && ops->changed)
			ops->changed(map, i);
		if (old && ops->put)
			ops->put(old);
		any |= changed;
	}
	return any;
}
