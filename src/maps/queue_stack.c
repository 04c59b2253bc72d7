/* BPF_MAP_TYPE_QUEUE and BPF_MAP_TYPE_STACK (kernel/bpf/queue_stack_maps.c).
 *
 * A ring of max_entries + 1 slots (one always free, to tell full from
 * empty). Push writes at head and advances it; a queue pops at tail (FIFO), a
 * stack pops just below head (LIFO). Every operation holds the lock.
 *
 *   +-----------------------------+ 0
 *   | struct map_region           |
 *   +-----------------------------+ MAP_FAMILY_DATA_OFFSET
 *   | struct queue_stack_hdr      |
 *   |   lock, head, tail, size    |   size = max_entries + 1
 *   +-----------------------------+ family[0]
 *   | slot 0 (value_size bytes)   |   empty: head == tail
 *   | slot 1                      |   full:  head + 1 == tail (mod size)
 *   |   ... size slots ...        |
 *   +-----------------------------+
 *
 * Keys do not exist: key_size is 0, user space passes a NULL key. User update
 * is push, lookup is peek, lookup_and_delete is pop.
 *
 * The lock is an owner lock (map_lock.h): a holder killed inside an
 * operation (kill -9 of a process sharing the map) is taken over from. Every
 * operation changes the ring by single 4-byte stores of head or tail, made
 * after the slot is copied, so the ring is whole at every instant: a push
 * killed before its head store has pushed nothing (its slot was free), a
 * pop killed before its tail (head) store has popped nothing; after the
 * store, the operation is done and only the dead caller's return is lost.
 * A full push with BPF_EXIST drops the oldest element first: killed
 * between, the oldest is dropped and the new value is not pushed.
 */
#include <errno.h>
#include <string.h>

#include "core/error.h"
#include "maps/array.h"
#include "maps/map.h"
#include "maps/map_lock.h"

/* KMALLOC_MAX_SIZE on x86-64: the largest value the kernel accepts. */
#define QUEUE_STACK_VALUE_MAX (4u << 20)
#define QUEUE_STACK_CREATE_FLAG_MASK                                                       \
	(BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)

struct queue_stack_hdr {
	struct map_owner_lock lock;
	uint32_t head;
	uint32_t tail;
	uint32_t size;
};

#define QUEUE_STACK_SLOTS_OFFSET \
	(MAP_FAMILY_DATA_OFFSET + ((sizeof(struct queue_stack_hdr) + 63) / 64) * 64)

static struct queue_stack_hdr *queue_stack_hdr(const struct bpfvm_map *map)
{
	return map_at(map, MAP_FAMILY_DATA_OFFSET);
}

static uint8_t *queue_stack_slot(const struct bpfvm_map *map, uint32_t index)
{
	return (uint8_t *)map_at(map, map->region->family[0]) +
	       (uint64_t)index * map_value_size(map);
}

static int queue_stack_check_attr(const struct map_attr *attr)
{
	if (attr->max_entries == 0 || attr->key_size != 0 || attr->value_size == 0) {
		vm_error("map '%.16s': a queue or stack needs key_size 0 (got %u), value_size > 0 "
			 "(got %u) and max_entries > 0 (got %u)",
			 attr->name, attr->key_size, attr->value_size, attr->max_entries);
		return -EINVAL;
	}
	if (attr->map_flags & ~QUEUE_STACK_CREATE_FLAG_MASK) {
		vm_error("map '%.16s': flags 0x%x are not valid for a queue or stack", attr->name,
			 attr->map_flags & ~QUEUE_STACK_CREATE_FLAG_MASK);
		return -EINVAL;
	}
	if (attr->value_size > QUEUE_STACK_VALUE_MAX) {
		vm_error("map '%.16s': value_size %u is too large", attr->name, attr->value_size);
		return -E2BIG;
	}
	return 0;
}

static size_t queue_stack_region_size(const struct map_attr *attr)
{
	return QUEUE_STACK_SLOTS_OFFSET + ((size_t)attr->max_entries + 1) * attr->value_size;
}

static int queue_stack_init(struct bpfvm_map *map)
{
	struct queue_stack_hdr *hdr = queue_stack_hdr(map);

	hdr->size = map_max_entries(map) + 1;
	map->region->family[0] = QUEUE_STACK_SLOTS_OFFSET;
	map_owner_lock_init(&hdr->lock);
	return 0;
}

static int queue_stack_check_region(const struct map_region *region, const char **why)
{
	const struct queue_stack_hdr *hdr =
		(const void *)((const uint8_t *)region + MAP_FAMILY_DATA_OFFSET);
	uint32_t head = __atomic_load_n(&hdr->head, __ATOMIC_RELAXED);
	uint32_t tail = __atomic_load_n(&hdr->tail, __ATOMIC_RELAXED);

	if (region->family[0] != QUEUE_STACK_SLOTS_OFFSET || hdr->size != region->max_entries + 1) {
		*why = "its slots' offset or count is not the one its attributes give";
		return -EINVAL;
	}
	if (head >= hdr->size || tail >= hdr->size) {
		*why = "its head or tail is outside its slots";
		return -EINVAL;
	}
	return 0;
}

/* One store, never torn or split: what a killed holder leaves is the old
 * index or the new one. Returns `index`. */
static uint32_t queue_stack_publish(uint32_t *field, uint32_t index)
{
	__atomic_store_n(field, index, __ATOMIC_RELAXED);
	return index;
}

/* Takes the lock. After a holder's death the ring is whole (see the top),
 * but a head or tail out of range (a file scribbled on) empties it rather
 * than read outside it. */
static void queue_stack_lock(struct queue_stack_hdr *hdr)
{
	if (map_owner_lock_acquire(&hdr->lock) == MAP_LOCK_RECOVERED &&
	    (hdr->head >= hdr->size || hdr->tail >= hdr->size))
		queue_stack_publish(&hdr->head, queue_stack_publish(&hdr->tail, 0));
}

static uint32_t queue_stack_next(const struct queue_stack_hdr *hdr, uint32_t index)
{
	return index + 1 >= hdr->size ? 0 : index + 1;
}

static long queue_stack_bpf_push(struct bpfvm_map *map, const void *value, uint64_t flags)
{
	struct queue_stack_hdr *hdr = queue_stack_hdr(map);

	/* BPF_EXIST makes room by dropping the oldest element. */
	if ((flags & BPF_NOEXIST) || flags > BPF_EXIST)
		return -EINVAL;
	queue_stack_lock(hdr);
	if (queue_stack_next(hdr, hdr->head) == hdr->tail) {
		if (!(flags & BPF_EXIST)) {
			map_owner_lock_release(&hdr->lock);
			return -E2BIG;
		}
		queue_stack_publish(&hdr->tail, queue_stack_next(hdr, hdr->tail));
	}
	memcpy(queue_stack_slot(map, hdr->head), value, map_value_size(map));
	queue_stack_publish(&hdr->head, queue_stack_next(hdr, hdr->head));
	map_owner_lock_release(&hdr->lock);
	return 0;
}

/* The slot a pop or peek reads: tail for a queue, below head for a stack. */
static uint32_t queue_stack_top(const struct bpfvm_map *map, const struct queue_stack_hdr *hdr)
{
	if (map_type(map) == BPF_MAP_TYPE_QUEUE)
		return hdr->tail;
	return hdr->head == 0 ? hdr->size - 1 : hdr->head - 1;
}

/* Copies the top element to `value` and removes it if `delete`. Empty:
 * -ENOENT, and `value` zeroed when `clear` (the program side's buffer). */
static long queue_stack_get(struct bpfvm_map *map, void *value, bool delete, bool clear)
{
	struct queue_stack_hdr *hdr = queue_stack_hdr(map);
	uint32_t top;

	queue_stack_lock(hdr);
	if (hdr->head == hdr->tail) {
		map_owner_lock_release(&hdr->lock);
		if (clear)
			memset(value, 0, map_value_size(map));
		return -ENOENT;
	}
	top = queue_stack_top(map, hdr);
	memcpy(value, queue_stack_slot(map, top), map_value_size(map));
	if (delete && map_type(map) == BPF_MAP_TYPE_QUEUE)
		queue_stack_publish(&hdr->tail, queue_stack_next(hdr, hdr->tail));
	else if (delete)
		queue_stack_publish(&hdr->head, top);
	map_owner_lock_release(&hdr->lock);
	return 0;
}

static long queue_stack_bpf_pop(struct bpfvm_map *map, void *value)
{
	return queue_stack_get(map, value, true, true);
}

static long queue_stack_bpf_peek(struct bpfvm_map *map, void *value)
{
	return queue_stack_get(map, value, false, true);
}

static int queue_stack_lookup(struct bpfvm_map *map, const void *key, void *value,
			      uint64_t flags)
{
	return (int)queue_stack_get(map, value, false, false);
}

static int queue_stack_update(struct bpfvm_map *map, const void *key, const void *value,
			      uint64_t flags)
{
	return (int)queue_stack_bpf_push(map, value, flags);
}

static int queue_stack_delete(struct bpfvm_map *map, const void *key)
{
	return -EINVAL;
}

static int queue_stack_get_next_key(struct bpfvm_map *map, const void *key, void *next_key)
{
	return -EINVAL;
}

static int queue_stack_lookup_and_delete(struct bpfvm_map *map, const void *key, void *value,
					 uint64_t flags)
{
	if (flags)
		return -EINVAL;
	return (int)queue_stack_get(map, value, true, false);
}

const struct map_ops queue_map_ops = {
	.share = MAP_SHARE_RW,
	.check_region = queue_stack_check_region,
	.check_attr = queue_stack_check_attr,
	.region_size = queue_stack_region_size,
	.init = queue_stack_init,
	.bpf_push = queue_stack_bpf_push,
	.bpf_pop = queue_stack_bpf_pop,
	.bpf_peek = queue_stack_bpf_peek,
	.lookup = queue_stack_lookup,
	.update = queue_stack_update,
	.delete = queue_stack_delete,
	.get_next_key = queue_stack_get_next_key,
	.lookup_and_delete = queue_stack_lookup_and_delete,
};

const struct map_ops stack_map_ops = {
	.share = MAP_SHARE_RW,
	.check_region = queue_stack_check_region,
	.check_attr = queue_stack_check_attr,
	.region_size = queue_stack_region_size,
	.init = queue_stack_init,
	.bpf_push = queue_stack_bpf_push,
	.bpf_pop = queue_stack_bpf_pop,
	.bpf_peek = queue_stack_bpf_peek,
	.lookup = queue_stack_lookup,
	.update = queue_stack_update,
	.delete = queue_stack_delete,
	.get_next_key = queue_stack_get_next_key,
	.lookup_and_delete = queue_stack_lookup_and_delete,
};
