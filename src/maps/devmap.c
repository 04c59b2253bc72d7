/* BPF_MAP_TYPE_DEVMAP and BPF_MAP_TYPE_DEVMAP_HASH (kernel/bpf/devmap.c):
 * network devices by index, the targets of bpf_redirect_map. bpfvm sends no
 * packets: the maps hold what the kernel's hold (struct bpf_devmap_val: the
 * ifindex, and the id of a program to run on the device, always 0 here) so
 * that programs find their targets and user space reads back what the
 * kernel would give it.
 *
 * DEVMAP: one 8-byte word per key, the value itself; a slot holds a device
 * when its ifindex is non-zero. Every change is one atomic store, so there
 * is no lock to take (and none a dead holder can leave taken), and a
 * program's lookup is one load, as the kernel's READ_ONCE of netdev_map[].
 *
 *   +---------------------------+ 0
 *   | struct map_region         |
 *   +---------------------------+ DEVMAP_SLOTS_OFFSET (family[0])
 *   | slot[0 .. max_entries)    |  _Atomic u64: ifindex | prog id << 32
 *   +---------------------------+
 *
 * DEVMAP_HASH: hash.c's table (hash.h: buckets, preallocated elements,
 * lock-free lookups, bucket locks that survive a dead holder), keyed by the
 * u32 key and bucketed by the key itself (index_hash) as the kernel's
 * dev_map_index_hash, so that get_next_key walks the kernel's order: a new
 * or replaced key goes to the head of its bucket.
 *
 * The kernel's rules, errno for errno: key_size 4, value_size 4 or 8;
 * an update needs an existing device (if_indextoname in the caller's
 * namespace, as dev_get_by_index in the kernel's); DEVMAP: BPF_NOEXIST is
 * -EEXIST (every slot "exists"), ifindex 0 empties the slot, delete always
 * succeeds; DEVMAP_HASH: ifindex 0 is -EINVAL, BPF_EXIST is not checked,
 * a full map is -E2BIG, delete of a missing key -ENOENT. Differences: a
 * program fd in the value (bpf_devmap_val.bpf_prog.fd > 0) is refused with
 * -EINVAL (bpfvm runs no programs on devices).
 *
 * Shared in a namespace (docs/namespace.md): everything in the region is an
 * ifindex, which means the same device to every process of one network
 * namespace, so another process's handle needs nothing of its own (a
 * redirect looks the slot up, as a local one). A writer killed mid-update
 * leaves either the old word or the new one (DEVMAP), or what hash.c's
 * repair makes whole (DEVMAP_HASH). */
#include <errno.h>
#include <net/if.h>
#include <stdatomic.h>
#include <string.h>

#include "core/error.h"
#include "maps/array.h"
#include "maps/hash.h"
#include "maps/map.h"

#define DEVMAP_CREATE_FLAG_MASK (BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY)
#define DEVMAP_SLOTS_OFFSET MAP_FAMILY_DATA_OFFSET

static bool is_hash(const struct bpfvm_map *map)
{
	return map_type(map) == BPF_MAP_TYPE_DEVMAP_HASH;
}

static _Atomic uint64_t *devmap_slot(const struct bpfvm_map *map, uint32_t index)
{
	return (_Atomic uint64_t *)map_at(map, map->region->family[0]) + index;
}

static bool slot_has_device(uint64_t word)
{
	return (uint32_t)word != 0; /* the ifindex, in the low half */
}

static int devmap_check_attr(const struct map_attr *attr)
{
	if (attr->max_entries == 0 || attr->key_size != 4 ||
	    (attr->value_size != 4 && attr->value_size != 8) ||
	    (attr->map_flags & ~DEVMAP_CREATE_FLAG_MASK)) {
		vm_error("map '%.16s': a device map needs key_size 4 (got %u), value_size 4 or 8 "
			 "(got %u), max_entries > 0 (got %u) and no flags but NUMA_NODE, RDONLY, "
			 "WRONLY (got 0x%x)", attr->name, attr->key_size, attr->value_size,
			 attr->max_entries, attr->map_flags);
		return -EINVAL;
	}
	if (attr->type == BPF_MAP_TYPE_DEVMAP_HASH && attr->max_entries > (1u << 31)) {
		vm_error("map '%.16s': max_entries %u is too large", attr->name, attr->max_entries);
		return -EINVAL;
	}
	return 0;
}

static size_t devmap_region_size(const struct map_attr *attr)
{
	if (attr->type == BPF_MAP_TYPE_DEVMAP_HASH)
		return hash_region_size(attr);
	return DEVMAP_SLOTS_OFFSET + (size_t)attr->max_entries * sizeof(uint64_t);
}

static int devmap_init(struct bpfvm_map *map)
{
	int err = 0;

	/* dev_map_init_map: a lookup gives the program the stored value, which
	 * it must not change. */
	map->region->map_flags |= BPF_F_RDONLY_PROG;
	if (!is_hash(map)) {
		map->region->family[0] = DEVMAP_SLOTS_OFFSET;
		return 0;
	}
	err = hash_init(map);
	if (!err)
		hash_table(map)->index_hash = 1;
	return err;
}

static int devmap_check_region(const struct map_region *region, const char **why)
{
	if (!(region->map_flags & BPF_F_RDONLY_PROG)) {
		*why = "a device map's values are read-only to programs (BPF_F_RDONLY_PROG)";
		return -EINVAL;
	}
	if (region->type == BPF_MAP_TYPE_DEVMAP_HASH)
		return hash_check_region_as(region, true, why);
	if (region->family[0] != DEVMAP_SLOTS_OFFSET) {
		*why = "its slots' offset is not the device map's";
		return -EINVAL;
	}
	return 0;
}

static void *devmap_bpf_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	uint32_t index = map_key_index(key);
	struct hash_elem *elem;

	if (!is_hash(map)) {
		if (index >= map_max_entries(map) ||
		    !slot_has_device(atomic_load_explicit(devmap_slot(map, index),
							  memory_order_acquire)))
			return NULL;
		return (void *)devmap_slot(map, index);
	}
	elem = hash_find(map, key);
	return elem ? hash_elem_value(hash_table(map), elem, 0) : NULL;
}

static int devmap_lookup(struct bpfvm_map *map, const void *key, void *value, uint64_t flags)
{
	uint32_t index = map_key_index(key);
	uint64_t word;

	if (is_hash(map))
		return hash_copy_value(map, key, value, 0);
	if (index >= map_max_entries(map))
		return -ENOENT;
	word = atomic_load_explicit(devmap_slot(map, index), memory_order_acquire);
	if (!slot_has_device(word))
		return -ENOENT;
	memcpy(value, &word, map_value_size(map));
	return 0;
}

/* The value the kernel keeps: the ifindex and the program's id (none). */
static int devmap_value(const struct bpfvm_map *map, const void *value, uint64_t *out)
{
	struct bpf_devmap_val val = { 0 };
	char name[IF_NAMESIZE];

	memcpy(&val, value, map_value_size(map));
	if (val.bpf_prog.fd > 0)
		return -EINVAL; /* no program runs on a bpfvm device */
	if (val.ifindex && !if_indextoname(val.ifindex, name))
		return -EINVAL;
	val.bpf_prog.id = 0;
	*out = 0;
	memcpy(out, &val, map_value_size(map));
	return 0;
}

/* In __dev_map_update_elem's order: the key, BPF_NOEXIST, then the device. */
static int devmap_array_update(struct bpfvm_map *map, uint32_t key, const void *value,
			       uint64_t flags)
{
	uint64_t stored;
	int err;

	if (key >= map_max_entries(map))
		return -E2BIG;
	if (flags == BPF_NOEXIST)
		return -EEXIST;
	err = devmap_value(map, value, &stored);
	if (!err)
		atomic_store_explicit(devmap_slot(map, key), stored, memory_order_release);
	return err;
}

/* In the kernel's order (Linux 6.18, checked with bpf()): ifindex 0,
 * BPF_NOEXIST, the device, then room for a new key. BPF_EXIST is not
 * checked: an update of a missing key with it inserts the key. */
static int devmap_hash_update(struct bpfvm_map *map, const void *key, const void *value,
			      uint64_t flags)
{
	uint32_t ifindex;
	uint64_t stored;
	int err;

	memcpy(&ifindex, value, sizeof(ifindex));
	if (!ifindex)
		return -EINVAL;
	if (flags == BPF_NOEXIST && hash_find(map, key))
		return -EEXIST;
	err = devmap_value(map, value, &stored);
	if (err)
		return err;
	return hash_update_elem(map, key, &stored, flags == BPF_NOEXIST ? BPF_NOEXIST : BPF_ANY,
				0, false, NULL, NULL);
}

static int devmap_update(struct bpfvm_map *map, const void *key, const void *value,
			 uint64_t flags)
{
	if (flags > BPF_EXIST)
		return -EINVAL;
	if (is_hash(map))
		return devmap_hash_update(map, key, value, flags);
	return devmap_array_update(map, map_key_index(key), value, flags);
}

static int devmap_delete(struct bpfvm_map *map, const void *key)
{
	uint32_t index = map_key_index(key);

	if (is_hash(map))
		return hash_delete_elem(map, key, NULL, 0);
	if (index >= map_max_entries(map))
		return -EINVAL;
	atomic_store_explicit(devmap_slot(map, index), 0, memory_order_release);
	return 0;
}

static int devmap_get_next_key(struct bpfvm_map *map, const void *key, void *next_key)
{
	if (is_hash(map))
		return hash_get_next_key(map, key, next_key);
	return array_get_next_key(map, key, next_key);
}

const struct map_ops devmap_map_ops = {
	.share = MAP_SHARE_RO, /* lookups only read: a word, or hash.c's lock-free find */
	.init_flags = BPF_F_RDONLY_PROG,
	.check_region = devmap_check_region,
	.check_attr = devmap_check_attr,
	.region_size = devmap_region_size,
	.init = devmap_init,
	.bpf_lookup = devmap_bpf_lookup,
	.lookup = devmap_lookup,
	.update = devmap_update,
	.delete = devmap_delete,
	.get_next_key = devmap_get_next_key,
};
