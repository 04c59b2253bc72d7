/* Hash maps (HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH, HASH_OF_MAPS):
 * the region layout and what hash.c, hash_lru.c and hash_of_maps.c share.
 *
 *  offset 0       +-------------------------------------------+
 *                 | struct map_region (generic header)         |
 *                 |   family[HASH_FAMILY_TABLE] = table_off    |
 *  table_off      | struct hash_table: sizes, seed, offsets,    |
 *                 |   free-stack head, element count, spares    |
 *  buckets_off    | struct hash_bucket[n_buckets]               |
 *                 |   first: offset of the first element, or    |
 *                 |          the nulls marker (index << 1 | 1)  |
 *                 |   lock:  process-shared robust mutex        |
 *  elems_off      | element[0] | element[1] | ... [nr_elems-1]  |
 *  lru_off        | struct hash_lru (LRU types only): list      |
 *                 |   heads, counts and locks, per CPU          |
 *                 +-------------------------------------------+
 *
 *  element (elem_size bytes, a multiple of 8):
 *    +0  next       chain link: offset of the next element or a nulls marker
 *    +8  free_next  free stack link (index + 1; 0 ends the stack)
 *    +12 seq        odd while the key or value is being rewritten
 *    +16 hash       jhash of the key
 *    +20 lru        LRU node: cpu, prev/next link ids, type, ref bit
 *    +40 key        round_up(key_size, 8) bytes
 *    +40+K value    round_up(value_size, 8) bytes, or nr_cpus of them for
 *                   per-CPU types (this CPU's value at cpu * stride)
 *
 * Lookups walk a chain without a lock, as the kernel's hlist_nulls: an
 * element may be deleted and reused in another bucket while a reader stands
 * on it; the reader then ends on a nulls marker of another bucket and starts
 * again. The chain link and the free-stack link are separate words so that
 * freeing an element never breaks a reader's walk. Writers take the
 * bucket's lock. Offsets, never pointers: the region may be mapped at a
 * different address in another process.
 */
#ifndef BPFVM_MAPS_HASH_H
#define BPFVM_MAPS_HASH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "maps/map.h"
#include "maps/map_lock.h"

#define HASH_FAMILY_TABLE 0 /* region->family[] slot holding table_off */

struct hash_table {
	uint32_t n_buckets; /* a power of two */
	uint32_t elem_size;
	uint32_t nr_elems;  /* preallocated elements */
	uint32_t seed;	    /* jhash seed (0 with BPF_F_ZERO_SEED) */
	uint32_t key_stride;   /* round_up(key_size, 8) */
	uint32_t value_stride; /* round_up(value_size, 8) */
	uint8_t lru;
	uint8_t percpu;
	/* Buckets by the u32 key itself, not jhash (DEVMAP_HASH, as the
	 * kernel's dev_map_index_hash); set by the family after hash_init. */
	uint8_t index_hash;
	uint8_t pad[5];
	uint64_t buckets_off;
	uint64_t elems_off;
	uint64_t lru_off; /* 0 unless LRU */
	/* Non-LRU free stack: (tag << 32) | (index + 1); the tag defeats ABA. */
	_Atomic uint64_t free_head;
	/* Non-LRU: elements reserved for the table (<= max_entries), and the
	 * spare elements left for replacing an existing key's element. */
	_Atomic uint32_t count;
	_Atomic uint32_t spares;
	/* Serialises the repair after a dead bucket-lock holder (hash.c:
	 * hash_repair), so that two repairers never wait on each other's
	 * buckets. */
	struct map_lock repair_lock;
	/* Set by whoever recovers a bucket lock from a dead holder, cleared
	 * when the repair is done: a repairer killed in turn leaves it set for
	 * the next bucket-lock holder. */
	_Atomic uint32_t needs_repair;
};

struct hash_bucket {
	_Atomic uint64_t first;
	struct map_lock lock;
};

/* Takes an in-region lock; false when it cannot be had (the kernel's
 * htab_lock_bucket failing: the caller answers -EBUSY). A lock taken over
 * from a dead holder is used as is here: chains change by single stores, so
 * a bucket stays walkable; see hash_lru.c for the LRU lists, and hash.c's
 * hash_bucket_lock for what a bucket's dead holder may have left. */
static inline bool hash_lock(struct map_lock *lock)
{
	return map_lock_acquire(lock) >= 0;
}

/* LRU node types, the kernel's enum bpf_lru_list_type. */
enum hash_lru_type {
	HASH_LRU_ACTIVE = 0,
	HASH_LRU_INACTIVE = 1,
	HASH_LRU_FREE = 2,
	HASH_LRU_LOCAL_FREE = 3,
	HASH_LRU_LOCAL_PENDING = 4,
};

/* A doubly-linked list link by ids: element i is id i, list heads follow
 * (hash_lru.c). */
struct hash_lru_link {
	uint32_t prev;
	uint32_t next;
};

struct hash_lru_node {
	uint32_t cpu;
	struct hash_lru_link link;
	_Atomic uint8_t type; /* HASH_LRU_*: relaxed loads and stores (hash_lru.c) */
	_Atomic uint8_t ref;
	uint8_t pad[2];
};

struct hash_elem {
	_Atomic uint64_t next;
	_Atomic uint32_t free_next;
	_Atomic uint32_t seq;
	uint32_t hash;
	struct hash_lru_node lru;
	uint8_t key[] __attribute__((aligned(8))); /* at offset 40 */
};

_Static_assert(offsetof(struct hash_elem, key) == 40, "element header is 40 bytes");

static inline struct hash_table *hash_table(const struct bpfvm_map *map)
{
	return map_at(map, map->region->family[HASH_FAMILY_TABLE]);
}

static inline struct hash_elem *hash_elem_at(const struct bpfvm_map *map,
					     const struct hash_table *table, uint32_t index)
{
	return map_at(map, table->elems_off + (uint64_t)index * table->elem_size);
}

static inline uint32_t hash_elem_index(const struct bpfvm_map *map,
				       const struct hash_table *table,
				       const struct hash_elem *elem)
{
	return (uint32_t)(((const uint8_t *)elem - (const uint8_t *)map->region - table->elems_off) /
			  table->elem_size);
}

/* The value of `elem` (CPU `cpu`'s for per-CPU types). */
static inline void *hash_elem_value(const struct hash_table *table, struct hash_elem *elem,
				    uint32_t cpu)
{
	return elem->key + table->key_stride + (size_t)cpu * table->value_stride * table->percpu;
}

/* hash.c: shared with hash_lru.c and hash_of_maps.c. */
int hash_check_attr(const struct map_attr *attr);
size_t hash_region_size(const struct map_attr *attr);
int hash_init(struct bpfvm_map *map);
/* map_ops.check_region of a table from a file, for the families built on
 * it (DEVMAP_HASH buckets by the key itself: index_hash). */
int hash_check_region_as(const struct map_region *region, bool index_hash, const char **why);
/* Unlinks `elem` from its bucket if it is still there (the LRU's eviction,
 * the kernel's htab_lru_map_delete_node). The caller holds `held`, the
 * bucket it updates: an element of that bucket is unlinked under it, any
 * other bucket's lock is only tried (false when busy, as the kernel's
 * htab_lock_bucket may fail), since the caller already holds a bucket. */
bool hash_unlink_for_eviction(struct bpfvm_map *map, struct hash_elem *elem,
			      struct hash_bucket *held);
/* The element holding `key`, or NULL; lock-free. */
struct hash_elem *hash_find(struct bpfvm_map *map, const void *key);
/* Update with the kernel's flags. `old_value`, when not NULL, receives the
 * replaced element's value (value_size bytes) and *replaced says whether
 * there was one. */
int hash_update_elem(struct bpfvm_map *map, const void *key, const void *value,
		     uint64_t flags, uint32_t cpu, bool onallcpus, void *old_value,
		     bool *replaced);
/* Delete; `value`, when not NULL, receives the value as a user-space
 * lookup with `flags` would (lookup_and_delete). */
int hash_delete_elem(struct bpfvm_map *map, const void *key, void *value, uint64_t flags);
int hash_get_next_key(struct bpfvm_map *map, const void *key, void *next_key);
/* Copies the value of `key` into `value` (user layout, BPF_F_LOCK in
 * `flags` as a lookup's); never torn by a replacement of the element.
 * -EBUSY when a writer died mid-write and this handle, mapped read-only,
 * cannot repair the element (docs/namespace.md). */
int hash_copy_value(struct bpfvm_map *map, const void *key, void *value, uint64_t flags);
/* The calling thread's CPU for user-space operations that need one (the
 * LRU's local lists), as the kernel uses the CPU the syscall runs on. */
uint32_t hash_user_cpu(const struct bpfvm_map *map);

/* User-side ops of hash.c that HASH_OF_MAPS reuses, and the messages for
 * the errno of an update, of a missing key. */
int hash_lookup(struct bpfvm_map *map, const void *key, void *value, uint64_t flags);
int hash_get_next(struct bpfvm_map *map, const void *key, void *next_key);
int hash_update_error(const struct bpfvm_map *map, int err, uint64_t flags);
int hash_not_found(const struct bpfvm_map *map);

/* bpf_map_lookup_elem of a HASH, PERCPU_HASH, LRU_HASH or LRU_PERCPU_HASH
 * map, the function its ops' bpf_lookup is, specialised for the map's key
 * size when it is 4, 8 or 16 bytes: what the JIT calls directly, as the
 * kernel's htab_map_gen_lookup calls __htab_map_lookup_elem. NULL for any
 * other map. */
typedef void *hash_bpf_lookup_fn(struct bpfvm_map *map, const void *key, uint32_t cpu);
hash_bpf_lookup_fn *hash_bpf_lookup_direct(const struct bpfvm_map *map);

/* The kernel's BATCH_OPS(htab): every hash type has all four. */
#define HASH_BATCH_OPS                                                                    \
	(MAP_BATCH_LOOKUP | MAP_BATCH_LOOKUP_AND_DELETE | MAP_BATCH_UPDATE | MAP_BATCH_DELETE)

/* The ops tables: HASH and LRU_HASH share one, the per-CPU types the
 * other (they differ in bpf_lookup_percpu); HASH_OF_MAPS has its own. */
extern const struct map_ops hash_map_ops;
extern const struct map_ops hash_percpu_map_ops;
extern const struct map_ops hash_lru_map_ops;
extern const struct map_ops hash_lru_percpu_map_ops;
extern const struct map_ops hash_of_maps_map_ops;

/* hash_lru.c. Every list operation runs under a bucket lock (`held`, the
 * bucket being updated or deleted from), and an element goes between a
 * chain and a free list only under it: so with every bucket lock held,
 * an element in no chain is free, whatever list it is on, and a rebuild
 * can tell a dead writer's leak from a live writer's element. */
size_t hash_lru_size(uint32_t nr_cpus, bool percpu_lru);
int hash_lru_init(struct bpfvm_map *map);
/* A free element for `hash`, evicting if needed; NULL if none can be had
 * (and table->needs_repair set when a list's lock holder died). */
struct hash_elem *hash_lru_pop(struct bpfvm_map *map, uint32_t hash, uint32_t cpu,
			       struct hash_bucket *held);
/* Gives back an element that is in no bucket. */
void hash_lru_push(struct bpfvm_map *map, struct hash_elem *elem);
/* With every bucket lock held and the elements in chains marked
 * (free_next == HASH_LINKED): takes every list lock and rebuilds the
 * lists, keeping the order of the chained elements it can still walk to,
 * and every other element free. */
void hash_lru_rebuild(struct bpfvm_map *map);
/* For tests, with no writer running: walks every list. *in_use counts the
 * elements on ACTIVE, INACTIVE and pending lists, *nfree those on free
 * lists. -EINVAL when a list does not close, an element is on two lists
 * or none, a prev link disagrees or a type is not its list's; -EAGAIN when
 * a lock's holder died or a repair is pending (marked: the next write
 * repairs, then ask again); -EBUSY when a lock is held. */
int hash_lru_census(struct bpfvm_map *map, uint32_t *in_use, uint32_t *nfree);
/* Whether an LRU region from a file links only ids it has (check_region). */
bool hash_lru_region_valid(const struct map_region *region, const struct hash_table *table);

/* A repair's marks in free_next (an LRU's free_next is otherwise 0): in a
 * chain, and in a chain and put back on a list (hash_lru_rebuild). A
 * repairer killed in turn may leave them. */
#define HASH_LINKED UINT32_MAX
#define HASH_LRU_PLACED (UINT32_MAX - 1)

static inline void hash_lru_set_ref(struct hash_elem *elem)
{
	if (!atomic_load_explicit(&elem->lru.ref, memory_order_relaxed))
		atomic_store_explicit(&elem->lru.ref, 1, memory_order_relaxed);
}

#endif
