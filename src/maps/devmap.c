/* BPF_MAP_TYPE_DEVMAP and BPF_MAP_TYPE_DEVMAP_HASH (kernel/bpf/devmap.c):
 * network devices by index, the targets of bpf_redirect_map. bpfvm sends no
 * packets: the maps hold what the kernel's hold (struct bpf_devmap_val: the
 * ifindex, and the id of a program to run on the device, always 0 here) so
 * that programs find their targets and user space reads back what the
 * kernel would give it.
 *
 *   +---------------------------+ 0
 *   | struct map_region         |
 *   +---------------------------+ MAP_FAMILY_DATA_OFFSET
 *   | struct devmap_hdr: lock,  |
 *   |   items, n_buckets        |
 *   +---------------------------+ DEVMAP_SLOTS_OFFSET (family[0])
 *   | slot[0 .. max_entries)    |  DEVMAP: slot[key]
 *   |   present, key, next,     |  DEVMAP_HASH: any free slot, chained from
 *   |   value (8 bytes)         |  its bucket (key & (n_buckets - 1)),
 *   +---------------------------+  newest first, as the kernel's hlist
 *   | bucket[0 .. n_buckets)    |  (hash only, family[1]): first slot or -1
 *   +---------------------------+
 *
 * The kernel's rules, errno for errno: key_size 4, value_size 4 or 8;
 * an update needs an existing device (if_indextoname in the caller's
 * namespace, as dev_get_by_index in the kernel's); DEVMAP: BPF_NOEXIST is
 * -EEXIST (every slot "exists"), ifindex 0 empties the slot, delete always
 * succeeds; DEVMAP_HASH: ifindex 0 is -EINVAL, BPF_EXIST is not checked,
 * a full map is -E2BIG, delete of a missing key -ENOENT. Differences: a
 * program fd in the value (bpf_devmap_val.bpf_prog.fd > 0) is refused with
 * -EINVAL (bpfvm runs no programs on devices). */
#include <errno.h>
#include <net/if.h>
#include <string.h>

#include "core/error.h"
#include "maps/array.h"
#include "maps/map.h"
#include "maps/map_lock.h"

#define DEVMAP_CREATE_FLAG_MASK (BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY)

struct devmap_hdr {
	struct map_lock lock;
	uint32_t items;
	uint32_t n_buckets;
};

struct devmap_slot {
	uint32_t present;
	uint32_t key;
	int32_t next; /* DEVMAP_HASH: the next slot of the bucket, or -1 */
	uint32_t pad;
	uint8_t value[8]; /* struct bpf_devmap_val, value_size bytes of it */
};

#define DEVMAP_SLOTS_OFFSET (MAP_FAMILY_DATA_OFFSET + ((sizeof(struct devmap_hdr) + 63) / 64) * 64)

static bool is_hash(const struct bpfvm_map *map)
{
	return map_type(map) == BPF_MAP_TYPE_DEVMAP_HASH;
}

static struct devmap_hdr *devmap_hdr(const struct bpfvm_map *map)
{
	return map_at(map, MAP_FAMILY_DATA_OFFSET);
}

static struct devmap_slot *devmap_slot(const struct bpfvm_map *map, uint32_t index)
{
	return (struct devmap_slot *)map_at(map, map->region->family[0]) + index;
}

static int32_t *devmap_bucket(const struct bpfvm_map *map, uint32_t key)
{
	return (int32_t *)map_at(map, map->region->family[1]) +
	       (key & (devmap_hdr(map)->n_buckets - 1));
}

static uint32_t roundup_pow_of_two(uint32_t n)
{
	uint32_t p = 1;

	while (p < n && p < (1u << 31))
		p <<= 1;
	return p;
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
	size_t buckets = attr->type == BPF_MAP_TYPE_DEVMAP_HASH ?
				 (size_t)roundup_pow_of_two(attr->max_entries) * sizeof(int32_t) : 0;

	return DEVMAP_SLOTS_OFFSET + (size_t)attr->max_entries * sizeof(struct devmap_slot) +
	       buckets;
}

static int devmap_init(struct bpfvm_map *map)
{
	struct devmap_hdr *hdr = devmap_hdr(map);

	/* dev_map_init_map: a lookup gives the program the stored value, which
	 * it must not change. */
	map->region->map_flags |= BPF_F_RDONLY_PROG;
	map->region->family[0] = DEVMAP_SLOTS_OFFSET;
	map->region->family[1] = DEVMAP_SLOTS_OFFSET +
				 (uint64_t)map_max_entries(map) * sizeof(struct devmap_slot);
	if (is_hash(map)) {
		hdr->n_buckets = roundup_pow_of_two(map_max_entries(map));
		for (uint32_t b = 0; b < hdr->n_buckets; b++)
			devmap_bucket(map, b)[0] = -1;
	}
	return map_lock_init(&hdr->lock);
}

/* The slot holding `key`, or NULL. Hash: under the lock. */
static struct devmap_slot *devmap_find(const struct bpfvm_map *map, uint32_t key)
{
	struct devmap_slot *slot;

	if (!is_hash(map)) {
		slot = key < map_max_entries(map) ? devmap_slot(map, key) : NULL;
		return slot && slot->present ? slot : NULL;
	}
	for (int32_t i = *devmap_bucket(map, key); i >= 0; i = devmap_slot(map, (uint32_t)i)->next)
		if (devmap_slot(map, (uint32_t)i)->key == key)
			return devmap_slot(map, (uint32_t)i);
	return NULL;
}

static int devmap_lock(struct bpfvm_map *map)
{
	int rc = map_lock_acquire(&devmap_hdr(map)->lock);

	return rc < 0 ? rc : 0;
}

static void *devmap_bpf_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	struct devmap_slot *slot;

	if (devmap_lock(map))
		return NULL;
	slot = devmap_find(map, map_key_index(key));
	map_lock_release(&devmap_hdr(map)->lock);
	return slot ? slot->value : NULL;
}

static int devmap_lookup(struct bpfvm_map *map, const void *key, void *value, uint64_t flags)
{
	struct devmap_slot *slot;
	int err = devmap_lock(map);

	if (err)
		return err;
	slot = devmap_find(map, map_key_index(key));
	if (slot)
		memcpy(value, slot->value, map_value_size(map));
	map_lock_release(&devmap_hdr(map)->lock);
	return slot ? 0 : -ENOENT;
}

/* The value the kernel keeps: the ifindex and the program's id (none). */
static int devmap_value(const struct bpfvm_map *map, const void *value, uint8_t out[8])
{
	struct bpf_devmap_val val = { 0 };
	char name[IF_NAMESIZE];

	memcpy(&val, value, map_value_size(map));
	if (val.bpf_prog.fd > 0)
		return -EINVAL; /* no program runs on a bpfvm device */
	if (val.ifindex && !if_indextoname(val.ifindex, name))
		return -EINVAL;
	val.bpf_prog.id = 0;
	memset(out, 0, 8);
	memcpy(out, &val, map_value_size(map));
	return 0;
}

/* In __dev_map_update_elem's order: the key, BPF_NOEXIST, then the device. */
static int devmap_array_update(struct bpfvm_map *map, uint32_t key, const void *value,
			       uint64_t flags)
{
	struct devmap_slot *slot;
	uint8_t stored[8];
	uint32_t ifindex;
	int err;

	if (key >= map_max_entries(map))
		return -E2BIG;
	if (flags == BPF_NOEXIST)
		return -EEXIST;
	err = devmap_value(map, value, stored);
	if (err)
		return err;
	slot = devmap_slot(map, key);
	memcpy(&ifindex, stored, sizeof(ifindex));
	memcpy(slot->value, stored, 8);
	slot->present = ifindex != 0;
	return 0;
}

/* In __dev_map_hash_update_elem's order: BPF_NOEXIST, the device, then
 * room for a new key. */
static int devmap_hash_update(struct bpfvm_map *map, uint32_t key, const void *value,
			      uint64_t flags)
{
	struct devmap_hdr *hdr = devmap_hdr(map);
	struct devmap_slot *slot = devmap_find(map, key);
	uint32_t free_slot = 0;
	uint8_t stored[8];
	int err;

	if (slot && (flags & BPF_NOEXIST))
		return -EEXIST;
	err = devmap_value(map, value, stored);
	if (err)
		return err;
	if (!slot) {
		if (hdr->items >= map_max_entries(map))
			return -E2BIG;
		while (devmap_slot(map, free_slot)->present)
			free_slot++;
		slot = devmap_slot(map, free_slot);
		slot->key = key;
		slot->next = *devmap_bucket(map, key);
		slot->present = 1;
		*devmap_bucket(map, key) = (int32_t)free_slot;
		hdr->items++;
	}
	memcpy(slot->value, stored, 8);
	return 0;
}

static int devmap_update(struct bpfvm_map *map, const void *key, const void *value,
			 uint64_t flags)
{
	uint32_t ifindex;
	int err;

	memcpy(&ifindex, value, sizeof(ifindex));
	if (flags > BPF_EXIST || (is_hash(map) && !ifindex))
		return -EINVAL;
	err = devmap_lock(map);
	if (err)
		return err;
	err = is_hash(map) ? devmap_hash_update(map, map_key_index(key), value, flags)
			   : devmap_array_update(map, map_key_index(key), value, flags);
	map_lock_release(&devmap_hdr(map)->lock);
	return err;
}

static int devmap_hash_unlink(struct bpfvm_map *map, uint32_t key)
{
	int32_t *link = devmap_bucket(map, key);

	while (*link >= 0) {
		struct devmap_slot *slot = devmap_slot(map, (uint32_t)*link);

		if (slot->key == key) {
			*link = slot->next;
			slot->present = 0;
			devmap_hdr(map)->items--;
			return 0;
		}
		link = &slot->next;
	}
	return -ENOENT;
}

static int devmap_delete(struct bpfvm_map *map, const void *key)
{
	uint32_t index = map_key_index(key);
	int err = devmap_lock(map);

	if (err)
		return err;
	if (is_hash(map))
		err = devmap_hash_unlink(map, index);
	else if (index >= map_max_entries(map))
		err = -EINVAL;
	else
		devmap_slot(map, index)->present = 0;
	map_lock_release(&devmap_hdr(map)->lock);
	return err;
}

/* dev_map_hash_get_next_key: the next in the key's bucket, else the first
 * of the following buckets; a missing key starts from bucket 0. */
static int devmap_hash_next(struct bpfvm_map *map, const void *key, uint32_t *next)
{
	struct devmap_slot *slot = key ? devmap_find(map, map_key_index(key)) : NULL;
	uint32_t bucket = 0;

	if (slot && slot->next >= 0) {
		*next = devmap_slot(map, (uint32_t)slot->next)->key;
		return 0;
	}
	if (slot)
		bucket = (slot->key & (devmap_hdr(map)->n_buckets - 1)) + 1;
	for (; bucket < devmap_hdr(map)->n_buckets; bucket++) {
		int32_t first = *devmap_bucket(map, bucket);

		if (first >= 0) {
			*next = devmap_slot(map, (uint32_t)first)->key;
			return 0;
		}
	}
	return -ENOENT;
}

static int devmap_get_next_key(struct bpfvm_map *map, const void *key, void *next_key)
{
	uint32_t next = 0;
	int err;

	if (!is_hash(map))
		return array_get_next_key(map, key, next_key);
	err = devmap_lock(map);
	if (err)
		return err;
	err = devmap_hash_next(map, key, &next);
	map_lock_release(&devmap_hdr(map)->lock);
	if (!err)
		memcpy(next_key, &next, sizeof(next));
	return err;
}

const struct map_ops devmap_map_ops = {
	.share_refusal = "it holds this process's network devices",
	.check_attr = devmap_check_attr,
	.region_size = devmap_region_size,
	.init = devmap_init,
	.bpf_lookup = devmap_bpf_lookup,
	.lookup = devmap_lookup,
	.update = devmap_update,
	.delete = devmap_delete,
	.get_next_key = devmap_get_next_key,
};
