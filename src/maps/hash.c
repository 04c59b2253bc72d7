/* Hash maps: HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH, with the
 * kernel's semantics (kernel/bpf/hashtab.c). The region layout, element
 * format and the lock-free lookup rule are pictured in hash.h; the LRU
 * lists are in hash_lru.c.
 *
 * What the kernel does and this file reproduces:
 * - keys are hashed with jhash (seed 0 with BPF_F_ZERO_SEED) into
 *   roundup_pow_of_two(max_entries) buckets; a new element goes to the head
 *   of its bucket, and replacing a key's value (non-per-CPU types) puts a
 *   new element at the head and unlinks the old one, so that get_next_key
 *   walks the same order as the kernel's;
 * - every element is preallocated (with BPF_F_NO_PREALLOC too: the kernel
 *   allocates on update, which only differs in memory use). Non-LRU types
 *   get nr_cpus spare elements to replace values in a full map, as the
 *   kernel's extra_elems;
 * - update flags: BPF_ANY, BPF_NOEXIST (-EEXIST), BPF_EXIST (-ENOENT);
 *   a full non-LRU map refuses a new key with -E2BIG; LRU maps evict;
 * - a value's bpf_spin_lock (HASH only, map_value.h) is never copied;
 *   BPF_F_LOCK copies under it and updates an existing element in place.
 *
 * Beyond the kernel: user-space lookups copy a value under the element's
 * sequence count, so a copy is never torn by a concurrent update that
 * replaces the element (a program's stores and BPF_F_LOCK updates write in
 * place, as in the kernel: only BPF_F_LOCK on both sides excludes them).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/error.h"
#include "maps/hash.h"
#include "maps/hash_jhash.h"
#include "maps/map_value.h"

#define HASH_CREATE_FLAG_MASK                                                              \
	(BPF_F_NO_PREALLOC | BPF_F_NO_COMMON_LRU | BPF_F_NUMA_NODE | BPF_F_RDONLY |       \
	 BPF_F_WRONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG | BPF_F_ZERO_SEED)

/* The kernel's limits: KMALLOC_MAX_SIZE (4 MiB on x86-64) less its element
 * header (48 bytes) bounds key_size + value_size; PCPU_MIN_UNIT_SIZE bounds
 * a per-CPU value. */
#define HASH_KMALLOC_MAX_SIZE (4ull << 20)
#define HASH_KERNEL_ELEM_HEADER 48ull
#define HASH_PCPU_MIN_UNIT_SIZE (32u << 10)
#define HASH_REGION_ALIGN 64u

static inline uint64_t hash_nulls(uint32_t bucket)
{
	return ((uint64_t)bucket << 1) | 1;
}

static inline bool hash_is_nulls(uint64_t link)
{
	return link & 1;
}

static inline uint64_t hash_round_up(uint64_t value, uint64_t align)
{
	return (value + align - 1) / align * align;
}

static inline uint32_t hash_bucket_index(const struct hash_table *table, uint32_t hash)
{
	return hash & (table->n_buckets - 1);
}

static inline struct hash_bucket *hash_bucket_at(const struct bpfvm_map *map,
						 const struct hash_table *table, uint32_t index)
{
	return (struct hash_bucket *)map_at(map, table->buckets_off) + index;
}

/* ---- After a writer died holding a bucket lock ------------------------
 *
 * A process killed in a shared map (docs/namespace.md) may die holding a
 * bucket lock anywhere in an update or a delete:
 *   - between hash_write_begin() and _end(): an element of the bucket keeps
 *     an odd sequence count, and readers would wait for it forever;
 *   - non-LRU types: with a claim on table->count or ->spares, or an
 *     element popped from the free stack and not yet linked, or unlinked
 *     and not yet pushed back: capacity lost for good.
 * Every claim, pop and push of the non-LRU types happens under a bucket
 * lock, so with every bucket lock held nothing is in flight, and the table
 * can be rebuilt from what the chains hold. The next holder of the dead
 * writer's lock does so (hash_repair). An element's value may keep part of
 * the dead writer's bytes, as a value written by a program without a lock
 * may be torn, but every operation goes on and no capacity is lost.
 * LRU types keep the same rule with their lists (hash.h, hash_lru.c): an
 * element goes between a chain and a free list only under a bucket lock,
 * and every list operation runs under one, so the repair rebuilds their
 * lists too, from the chains. */

/* Ends a dead writer's rewrite of the elements of `bucket`; marks them
 * linked (free_next = HASH_LINKED) when `mark`. Returns how many. The walk
 * is bounded: chains change by single stores and stay walkable. */
static uint32_t hash_bucket_settle_seq(struct bpfvm_map *map, const struct hash_table *table,
				       struct hash_bucket *bucket, bool mark)
{
	uint64_t at = atomic_load_explicit(&bucket->first, memory_order_relaxed);
	uint32_t linked = 0;

	for (; !(at & 1) && linked <= table->nr_elems; linked++) {
		struct hash_elem *elem = map_at(map, at);

		if (atomic_load_explicit(&elem->seq, memory_order_relaxed) & 1)
			atomic_fetch_add_explicit(&elem->seq, 1, memory_order_release);
		if (mark)
			atomic_store_explicit(&elem->free_next, HASH_LINKED, memory_order_relaxed);
		at = atomic_load_explicit(&elem->next, memory_order_relaxed);
	}
	return linked;
}

static void hash_free_push(struct bpfvm_map *map, struct hash_table *table,
			   struct hash_elem *elem);

/* A writer that dies while replacing a key's element leaves the new one
 * linked at the head and the old one still behind it: the key twice, the
 * table over max_entries, and a delete that finds the new element leaves
 * the old one live. Unlinks every element whose key an element nearer the
 * head already has (the older one); it goes back to the free stack with
 * the unlinked ones. Chains are short: quadratic is fine. */
static void hash_bucket_drop_duplicates(struct bpfvm_map *map, const struct hash_table *table,
					struct hash_bucket *bucket)
{
	uint64_t at = atomic_load_explicit(&bucket->first, memory_order_relaxed);

	for (uint32_t steps = 0; !(at & 1) && steps <= table->nr_elems; steps++) {
		struct hash_elem *elem = map_at(map, at);
		_Atomic uint64_t *link = &elem->next;
		uint64_t later = atomic_load_explicit(link, memory_order_relaxed);

		for (uint32_t n = 0; !(later & 1) && n <= table->nr_elems; n++) {
			struct hash_elem *cur = map_at(map, later);
			uint64_t after = atomic_load_explicit(&cur->next, memory_order_relaxed);

			bool same = cur->hash == elem->hash &&
				    !memcmp(cur->key, elem->key, map_key_size(map));

			if (same)
				atomic_store_explicit(link, after, memory_order_release);
			else
				link = &cur->next;
			later = after;
		}
		at = atomic_load_explicit(&elem->next, memory_order_relaxed);
	}
}

/* With every bucket lock held: the elements in chains marked, every
 * other element even and unmarked (a mark of an earlier repair would
 * otherwise keep an element unlinked since then from being freed). */
static uint32_t hash_mark_linked(struct bpfvm_map *map, struct hash_table *table)
{
	uint32_t count = 0;

	for (uint32_t i = 0; i < table->n_buckets; i++)
		hash_bucket_drop_duplicates(map, table, hash_bucket_at(map, table, i));
	for (uint32_t i = 0; i < table->nr_elems; i++) {
		struct hash_elem *elem = hash_elem_at(map, table, i);

		/* An element the dead writer was filling: even again, or its
		 * next user's write would leave it odd for good. */
		if (atomic_load_explicit(&elem->seq, memory_order_relaxed) & 1)
			atomic_fetch_add_explicit(&elem->seq, 1, memory_order_relaxed);
		atomic_store_explicit(&elem->free_next, 0, memory_order_relaxed);
	}
	for (uint32_t i = 0; i < table->n_buckets; i++)
		count += hash_bucket_settle_seq(map, table, hash_bucket_at(map, table, i), true);
	return count;
}

/* With every bucket lock held: count, spares and the free stack (LRU: the
 * lists) rebuilt from the chains, as hash_init made them. */
static void hash_rebuild(struct bpfvm_map *map, struct hash_table *table)
{
	uint32_t count = hash_mark_linked(map, table);

	if (table->lru) {
		hash_lru_rebuild(map);
		return;
	}
	atomic_store(&table->free_head,
		     ((atomic_load(&table->free_head) >> 32) + 1) << 32);
	for (uint32_t i = table->nr_elems; i-- > 0;) {
		struct hash_elem *elem = hash_elem_at(map, table, i);

		if (atomic_load_explicit(&elem->free_next, memory_order_relaxed) != HASH_LINKED)
			hash_free_push(map, table, elem);
	}
	atomic_store(&table->count, count);
	atomic_store(&table->spares, table->nr_elems - map_max_entries(map));
}

static bool hash_repair(struct bpfvm_map *map, struct hash_table *table)
{
	if (map_lock_acquire(&table->repair_lock) < 0)
		return false;
	for (uint32_t i = 0; i < table->n_buckets; i++) {
		/* A holder that died after the last repair: repair again. */
		if (map_lock_acquire(&hash_bucket_at(map, table, i)->lock) == MAP_LOCK_RECOVERED)
			atomic_store(&table->needs_repair, 1);
	}
	if (atomic_load(&table->needs_repair)) {
		hash_rebuild(map, table);
		atomic_store(&table->needs_repair, 0);
	}
	for (uint32_t i = 0; i < table->n_buckets; i++)
		map_lock_release(&hash_bucket_at(map, table, i)->lock);
	map_lock_release(&table->repair_lock);
	return true;
}

/* hash_lock() for a bucket: repairs what a dead holder left (above). */
static bool hash_bucket_lock(struct bpfvm_map *map, struct hash_bucket *bucket)
{
	struct hash_table *table = hash_table(map);

	for (;;) {
		int rc = map_lock_acquire(&bucket->lock);

		if (rc < 0)
			return false;
		/* Marked before the lock is let go, so that the repair is
		 * not lost if this process dies too. */
		if (rc == MAP_LOCK_RECOVERED)
			atomic_store(&table->needs_repair, 1);
		if (!atomic_load_explicit(&table->needs_repair, memory_order_relaxed))
			return true;
		/* Let go first: the repair takes every bucket in order. */
		map_lock_release(&bucket->lock);
		if (!hash_repair(map, table))
			return false;
	}
}

static inline uint64_t hash_elem_offset(const struct bpfvm_map *map, const struct hash_elem *elem)
{
	return (uint64_t)((const uint8_t *)elem - (const uint8_t *)map->region);
}

/* The hash of a key: jhash, or the u32 key itself for an index_hash
 * table. */
static inline uint32_t hash_of_key(const struct bpfvm_map *map, const struct hash_table *table,
				   const void *key)
{
	uint32_t index;

	if (!table->index_hash)
		return hash_key_hash(key, map_key_size(map), table->seed);
	memcpy(&index, key, sizeof(index));
	return index;
}

/* ---- Creation -------------------------------------------------------- */

static bool hash_type_is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static bool hash_type_is_lru(uint32_t type)
{
	return type == BPF_MAP_TYPE_LRU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* max_entries after the kernel's rounding for BPF_F_NO_COMMON_LRU: every
 * CPU's list gets the same number of elements. */
static uint64_t hash_effective_max_entries(const struct map_attr *attr)
{
	uint64_t max = attr->max_entries, cpus = attr->nr_cpus ? attr->nr_cpus : 1;
	uint64_t up;

	if (!(attr->map_flags & BPF_F_NO_COMMON_LRU))
		return max;
	up = hash_round_up(max, cpus);
	/* The kernel's roundup() wraps in u32; it then rounds down. */
	if (up > UINT32_MAX)
		return max / cpus * cpus;
	return up;
}

/* max_entries is at most 2^31 here (hash_check_attr). */
static uint32_t hash_n_buckets(uint64_t max_entries)
{
	return (uint32_t)map_roundup_pow_of_two(max_entries);
}

static int hash_check_flags_attr(const struct map_attr *attr)
{
	uint32_t flags = attr->map_flags;
	bool percpu_lru = flags & BPF_F_NO_COMMON_LRU;

	if (flags & ~HASH_CREATE_FLAG_MASK) {
		vm_error("map '%.16s': map_flags 0x%x has flags hash maps do not take", attr->name,
			 flags);
		return -EINVAL;
	}
	if ((flags & (BPF_F_RDONLY | BPF_F_WRONLY)) == (BPF_F_RDONLY | BPF_F_WRONLY) ||
	    (flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) ==
		    (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) {
		vm_error("map '%.16s': read-only and write-only flags together", attr->name);
		return -EINVAL;
	}
	if (!hash_type_is_lru(attr->type) && percpu_lru) {
		vm_error("map '%.16s': BPF_F_NO_COMMON_LRU is only for LRU maps", attr->name);
		return -EINVAL;
	}
	if (hash_type_is_lru(attr->type) && (flags & BPF_F_NO_PREALLOC)) {
		vm_error("map '%.16s': LRU maps cannot be BPF_F_NO_PREALLOC", attr->name);
		return -MAP_ENOTSUPP;
	}
	if ((flags & BPF_F_NUMA_NODE) && (hash_type_is_percpu(attr->type) || percpu_lru)) {
		vm_error("map '%.16s': BPF_F_NUMA_NODE does not go with per-CPU values or lists",
			 attr->name);
		return -EINVAL;
	}
	return 0;
}

static int hash_check_sizes(const struct map_attr *attr)
{
	uint64_t max_entries;

	if (!attr->max_entries || !attr->key_size || !attr->value_size) {
		vm_error("map '%.16s': key_size %u, value_size %u and max_entries %u must not be 0",
			 attr->name, attr->key_size, attr->value_size, attr->max_entries);
		return -EINVAL;
	}
	if ((uint64_t)attr->key_size + attr->value_size >=
	    HASH_KMALLOC_MAX_SIZE - HASH_KERNEL_ELEM_HEADER) {
		vm_error("map '%.16s': key_size + value_size (%llu) too large", attr->name,
			 (unsigned long long)attr->key_size + attr->value_size);
		return -E2BIG;
	}
	if (hash_type_is_percpu(attr->type) &&
	    hash_round_up(attr->value_size, 8) > HASH_PCPU_MIN_UNIT_SIZE) {
		vm_error("map '%.16s': per-CPU value_size %u above %u", attr->name,
			 attr->value_size, HASH_PCPU_MIN_UNIT_SIZE);
		return -E2BIG;
	}
	max_entries = hash_effective_max_entries(attr);
	/* The kernel's htab_map_alloc: at most 2^31 entries, and buckets of
	 * 16 bytes whose total must fit in a u32. */
	if (max_entries > (1ull << 31) || hash_n_buckets(max_entries) > UINT32_MAX / 16) {
		vm_error("map '%.16s': max_entries %u too large", attr->name, attr->max_entries);
		return -E2BIG;
	}
	return 0;
}

int hash_check_attr(const struct map_attr *attr)
{
	int err;

	if (attr->map_extra) {
		vm_error("map '%.16s': map_extra must be 0 for hash maps", attr->name);
		return -EINVAL;
	}
	err = hash_check_flags_attr(attr);
	if (!err)
		err = hash_check_sizes(attr);
	return err;
}

struct hash_layout {
	uint64_t table_off, buckets_off, elems_off, lru_off, size;
	uint32_t n_buckets, elem_size, nr_elems;
};

static bool hash_compute_layout(const struct map_attr *attr, struct hash_layout *layout)
{
	bool percpu = hash_type_is_percpu(attr->type), lru = hash_type_is_lru(attr->type);
	uint64_t cpus = attr->nr_cpus ? attr->nr_cpus : 1;
	uint64_t max_entries = hash_effective_max_entries(attr);
	uint64_t value_bytes = hash_round_up(attr->value_size, 8) * (percpu ? cpus : 1);
	uint64_t elem_size = sizeof(struct hash_elem) + hash_round_up(attr->key_size, 8) + value_bytes;
	uint64_t nr_elems = max_entries + (percpu || lru ? 0 : cpus);
	uint64_t off;

	if (elem_size > UINT32_MAX || nr_elems > UINT32_MAX - 1)
		return false;
	layout->n_buckets = hash_n_buckets(max_entries);
	layout->elem_size = (uint32_t)elem_size;
	layout->nr_elems = (uint32_t)nr_elems;
	layout->table_off = hash_round_up(sizeof(struct map_region), HASH_REGION_ALIGN);
	off = layout->table_off + sizeof(struct hash_table);
	layout->buckets_off = hash_round_up(off, HASH_REGION_ALIGN);
	off = layout->buckets_off + (uint64_t)layout->n_buckets * sizeof(struct hash_bucket);
	layout->elems_off = hash_round_up(off, HASH_REGION_ALIGN);
	off = layout->elems_off + nr_elems * elem_size; /* < 2^32 * 2^32: no overflow */
	layout->lru_off = 0;
	if (lru) {
		layout->lru_off = hash_round_up(off, HASH_REGION_ALIGN);
		off = layout->lru_off +
		      hash_lru_size((uint32_t)cpus, attr->map_flags & BPF_F_NO_COMMON_LRU);
	}
	layout->size = hash_round_up(off, 4096);
	return layout->size <= SIZE_MAX;
}

size_t hash_region_size(const struct map_attr *attr)
{
	struct hash_layout layout;

	/* 0 makes map_create() answer -E2BIG. */
	return hash_compute_layout(attr, &layout) ? (size_t)layout.size : 0;
}

/* A chain link read from a file: a bucket's nulls marker, or the offset
 * of an element. */
static bool hash_link_valid(const struct hash_table *table, uint64_t link)
{
	if (hash_is_nulls(link))
		return (link >> 1) < table->n_buckets;
	return link >= table->elems_off &&
	       (link - table->elems_off) % table->elem_size == 0 &&
	       (link - table->elems_off) / table->elem_size < table->nr_elems;
}

/* Every chain, walked from its bucket, ends (a cycle would make readers
 * loop) and links only elements, so a crafted file cannot send a reader
 * outside the region. The steps are bounded generously: a writer of
 * another process may move elements while we walk, which must not make a
 * good file look bad. */
static bool hash_links_valid(const struct map_region *region, const struct hash_table *table)
{
	const uint8_t *base = (const uint8_t *)region;
	uint64_t budget = 2ull * table->nr_elems + table->n_buckets;

	for (uint32_t i = 0; i < table->n_buckets; i++) {
		const struct hash_bucket *bucket =
			(const void *)(base + table->buckets_off + (uint64_t)i * sizeof(*bucket));
		uint64_t link = atomic_load_explicit(&bucket->first, memory_order_relaxed);

		while (!hash_is_nulls(link)) {
			const struct hash_elem *elem;

			if (!hash_link_valid(table, link) || budget-- == 0)
				return false;
			elem = (const void *)(base + link);
			link = atomic_load_explicit(&elem->next, memory_order_relaxed);
		}
		/* Another bucket's marker makes a reader start again, for ever
		 * in a crafted file. A live writer leaves none in a chain:
		 * only a walker standing on an element that was reused
		 * meanwhile sees one (the caller walks again then). */
		if (link != hash_nulls(i))
			return false;
	}
	for (uint32_t i = 0; i < table->nr_elems; i++) {
		const struct hash_elem *elem =
			(const void *)(base + table->elems_off + (uint64_t)i * table->elem_size);

		uint32_t free_next = atomic_load_explicit(&elem->free_next, memory_order_relaxed);

		/* A free-stack link, or a repair's mark (hash_rebuild). */
		if (free_next > table->nr_elems && free_next != HASH_LINKED &&
		    free_next != HASH_LRU_PLACED)
			return false;
	}
	return true;
}

int hash_check_region_as(const struct map_region *region, bool index_hash, const char **why)
{
	struct map_attr attr = {
		.type = region->type, .key_size = region->key_size,
		.value_size = region->value_size, .max_entries = region->max_entries,
		.map_flags = region->map_flags, .nr_cpus = region->nr_cpus,
	};
	const struct hash_table *table;
	struct hash_layout layout;
	bool links_valid = false;
	uint64_t free_index;

	if (!hash_compute_layout(&attr, &layout) ||
	    region->family[HASH_FAMILY_TABLE] != layout.table_off) {
		*why = "its table's offset is not the one its attributes give";
		return -EINVAL;
	}
	table = (const void *)((const uint8_t *)region + layout.table_off);
	if (table->n_buckets != layout.n_buckets || table->elem_size != layout.elem_size ||
	    table->nr_elems != layout.nr_elems || table->buckets_off != layout.buckets_off ||
	    table->elems_off != layout.elems_off || table->lru_off != layout.lru_off ||
	    table->key_stride != hash_round_up(region->key_size, 8) ||
	    table->value_stride != hash_round_up(region->value_size, 8) ||
	    table->lru != hash_type_is_lru(region->type) ||
	    table->percpu != hash_type_is_percpu(region->type) ||
	    table->index_hash != index_hash) {
		*why = "its table's layout is not the one its attributes give";
		return -EINVAL;
	}
	free_index = atomic_load_explicit(&table->free_head, memory_order_relaxed) & UINT32_MAX;
	if (free_index > table->nr_elems ||
	    atomic_load_explicit(&table->count, memory_order_relaxed) > region->max_entries ||
	    atomic_load_explicit(&table->spares, memory_order_relaxed) > table->nr_elems) {
		*why = "its free stack or counts are outside its elements";
		return -EINVAL;
	}
	/* A walk that raced with a writer of another process fails once;
	 * a crafted file fails every time. */
	for (int attempt = 0; attempt < 3 && !links_valid; attempt++)
		links_valid = hash_links_valid(region, table);
	if (!links_valid) {
		*why = "a chain link points outside its elements";
		return -EINVAL;
	}
	if (table->lru && !hash_lru_region_valid(region, table)) {
		*why = "its LRU lists link outside its elements and heads";
		return -EINVAL;
	}
	return 0;
}

static int hash_check_region(const struct map_region *region, const char **why)
{
	return hash_check_region_as(region, false, why);
}

static uint32_t hash_random_seed(void)
{
	uint32_t seed;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == sizeof(seed))
		return seed;
	return (uint32_t)time(NULL) ^ (uint32_t)(uintptr_t)&seed;
}

static int hash_init_buckets(struct bpfvm_map *map, struct hash_table *table)
{
	for (uint32_t i = 0; i < table->n_buckets; i++) {
		struct hash_bucket *bucket = hash_bucket_at(map, table, i);
		int err;

		atomic_init(&bucket->first, hash_nulls(i));
		err = map_lock_init(&bucket->lock);
		if (err) {
			vm_error("map '%.16s': cannot initialise bucket locks: %s",
				 map->region->name, strerror(-err));
			return err;
		}
	}
	return 0;
}

int hash_init(struct bpfvm_map *map)
{
	struct map_region *region = map->region;
	struct map_attr attr = {
		.type = region->type, .key_size = region->key_size,
		.value_size = region->value_size, .max_entries = region->max_entries,
		.map_flags = region->map_flags, .nr_cpus = region->nr_cpus,
	};
	struct hash_layout layout;
	struct hash_table *table;
	int err;

	if (!hash_compute_layout(&attr, &layout) || layout.size > map->region_size) {
		vm_error("map '%.16s': region too small for its layout", region->name);
		return -EINVAL;
	}
	region->max_entries = (uint32_t)hash_effective_max_entries(&attr);
	region->family[HASH_FAMILY_TABLE] = layout.table_off;
	table = hash_table(map);
	table->n_buckets = layout.n_buckets;
	table->elem_size = layout.elem_size;
	table->nr_elems = layout.nr_elems;
	table->seed = (region->map_flags & BPF_F_ZERO_SEED) ? 0 : hash_random_seed();
	table->key_stride = (uint32_t)hash_round_up(region->key_size, 8);
	table->value_stride = (uint32_t)hash_round_up(region->value_size, 8);
	table->lru = hash_type_is_lru(region->type);
	table->percpu = hash_type_is_percpu(region->type);
	table->index_hash = 0;
	table->buckets_off = layout.buckets_off;
	table->elems_off = layout.elems_off;
	table->lru_off = layout.lru_off;
	atomic_init(&table->free_head, 0);
	atomic_init(&table->count, 0);
	atomic_init(&table->spares, table->nr_elems - region->max_entries);
	err = map_lock_init(&table->repair_lock);
	if (!err)
		err = hash_init_buckets(map, table);
	if (err)
		return err;
	if (table->lru)
		return hash_lru_init(map);
	/* Pushed last to first, so that pops hand out element 0 first. */
	for (uint32_t i = table->nr_elems; i-- > 0;)
		hash_free_push(map, table, hash_elem_at(map, table, i));
	return 0;
}

/* ---- Free stack of non-LRU types (lock-free, index + tag) ------------ */

static struct hash_elem *hash_free_pop(struct bpfvm_map *map, struct hash_table *table)
{
	uint64_t head = atomic_load_explicit(&table->free_head, memory_order_acquire);

	for (;;) {
		uint32_t top = (uint32_t)head;
		struct hash_elem *elem;
		uint64_t next;

		if (!top)
			return NULL;
		elem = hash_elem_at(map, table, top - 1);
		/* elem may be popped and reused meanwhile: then the tag has
		 * changed and the exchange fails. */
		next = atomic_load_explicit(&elem->free_next, memory_order_relaxed);
		if (atomic_compare_exchange_weak_explicit(
			    &table->free_head, &head, (((head >> 32) + 1) << 32) | next,
			    memory_order_acq_rel, memory_order_acquire))
			return elem;
	}
}

static void hash_free_push(struct bpfvm_map *map, struct hash_table *table,
			   struct hash_elem *elem)
{
	uint64_t index = hash_elem_index(map, table, elem);
	uint64_t head = atomic_load_explicit(&table->free_head, memory_order_relaxed);

	do {
		atomic_store_explicit(&elem->free_next, (uint32_t)head, memory_order_relaxed);
	} while (!atomic_compare_exchange_weak_explicit(&table->free_head, &head,
							(((head >> 32) + 1) << 32) | (index + 1),
							memory_order_release, memory_order_relaxed));
}

/* Claims one unit of `counter` below `limit`. */
static bool hash_claim(_Atomic uint32_t *counter, uint32_t limit)
{
	uint32_t seen = atomic_load_explicit(counter, memory_order_relaxed);

	do {
		if (seen >= limit)
			return false;
	} while (!atomic_compare_exchange_weak_explicit(counter, &seen, seen + 1,
							memory_order_acquire, memory_order_relaxed));
	return true;
}

/* A spare is a unit taken from `spares` (which counts down). */
static bool hash_claim_spare(struct hash_table *table)
{
	uint32_t seen = atomic_load_explicit(&table->spares, memory_order_relaxed);

	do {
		if (!seen)
			return false;
	} while (!atomic_compare_exchange_weak_explicit(&table->spares, &seen, seen - 1,
							memory_order_acquire, memory_order_relaxed));
	return true;
}

/* ---- Element contents, under the sequence count ----------------------- */

static inline void hash_write_begin(struct hash_elem *elem)
{
	atomic_fetch_add_explicit(&elem->seq, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

static inline void hash_write_end(struct hash_elem *elem)
{
	atomic_fetch_add_explicit(&elem->seq, 1, memory_order_release);
}

/* Writes a value from the user layout (all CPUs, stride apart) or the
 * program layout (one CPU's value). A new per-CPU element written from a
 * program gets zeroes on the other CPUs (the kernel's pcpu_init_value). */
static void hash_write_value(const struct bpfvm_map *map, const struct hash_table *table,
			     struct hash_elem *elem, const void *value, uint32_t cpu,
			     bool onallcpus, bool fresh)
{
	uint32_t value_size = map_value_size(map);

	if (!table->percpu) {
		map_value_copy(map, hash_elem_value(table, elem, 0), value);
		return;
	}
	if (onallcpus) {
		memcpy(hash_elem_value(table, elem, 0), value,
		       (size_t)table->value_stride * map_nr_cpus(map));
		return;
	}
	if (fresh)
		memset(hash_elem_value(table, elem, 0), 0,
		       (size_t)table->value_stride * map_nr_cpus(map));
	memcpy(hash_elem_value(table, elem, cpu), value, value_size);
}

/* Copies a value out in the user layout (BPF_F_LOCK: under its lock). */
static void hash_read_value(const struct bpfvm_map *map, const struct hash_table *table,
			    struct hash_elem *elem, void *value, uint64_t flags)
{
	if (table->percpu)
		memcpy(value, hash_elem_value(table, elem, 0),
		       (size_t)table->value_stride * map_nr_cpus(map));
	else
		map_value_read(map, value, hash_elem_value(table, elem, 0), flags);
}

static void hash_write_key(const struct bpfvm_map *map, struct hash_elem *elem, uint32_t hash,
			   const void *key)
{
	elem->hash = hash;
	memcpy(elem->key, key, map_key_size(map));
}

/* ---- Chains ------------------------------------------------------------ */

/* A chain holds at most nr_elems elements, so a longer walk is in a cycle.
 * Only a corrupted file makes one: a pinned map's file whose free stack
 * holds an element that is also in a chain (fuzz_input_ns found it) hands
 * that element out again, and linking it a second time closes a loop,
 * which an open-time check of a live map cannot rule out without taking
 * every bucket lock. Every walk is bounded instead: past the bound it ends
 * as a miss. A lock-free walk also starts again when a writer moved the
 * element it stood on; HASH_WALK_PASSES such restarts in a row do not
 * happen between live writers. */
#define HASH_WALK_PASSES 64

static inline uint64_t hash_walk_budget(const struct hash_table *table)
{
	return HASH_WALK_PASSES * ((uint64_t)table->nr_elems + 1);
}

/* Lock-free walk (the kernel's lookup_nulls_elem_raw): a walk that ends on
 * another bucket's nulls marker went astray through a reused element and
 * starts again. Always inlined: with a constant key_size the compare is a
 * load and a compare (hash_bpf_lookup_direct). */
static inline __attribute__((always_inline)) struct hash_elem *
hash_walk(struct bpfvm_map *map, struct hash_table *table, uint32_t hash, const void *key,
	  uint32_t key_size)
{
	uint32_t index = hash_bucket_index(table, hash);
	struct hash_bucket *bucket = hash_bucket_at(map, table, index);
	uint64_t budget = hash_walk_budget(table);
	uint64_t link;

	do {
		link = atomic_load_explicit(&bucket->first, memory_order_acquire);
		while (!hash_is_nulls(link)) {
			struct hash_elem *elem = map_at(map, link);

			if (elem->hash == hash && !memcmp(elem->key, key, key_size))
				return elem;
			if (!budget--)
				return NULL;
			link = atomic_load_explicit(&elem->next, memory_order_acquire);
		}
	} while ((link >> 1) != index);
	return NULL;
}

static struct hash_elem *hash_lookup_nulls(struct bpfvm_map *map, struct hash_table *table,
					   uint32_t hash, const void *key)
{
	return hash_walk(map, table, hash, key, map_key_size(map));
}

/* Under the bucket's lock no element enters or leaves the chain. Bounded
 * as every walk (hash_walk_budget). */
static struct hash_elem *hash_lookup_locked(struct bpfvm_map *map, struct hash_bucket *bucket,
					    uint32_t hash, const void *key)
{
	uint32_t key_size = map_key_size(map), nr_elems = hash_table(map)->nr_elems;
	uint64_t link = atomic_load_explicit(&bucket->first, memory_order_relaxed);

	for (uint32_t steps = 0; !hash_is_nulls(link) && steps <= nr_elems; steps++) {
		struct hash_elem *elem = map_at(map, link);

		if (elem->hash == hash && !memcmp(elem->key, key, key_size))
			return elem;
		link = atomic_load_explicit(&elem->next, memory_order_relaxed);
	}
	return NULL;
}

static void hash_link_head(struct bpfvm_map *map, struct hash_bucket *bucket,
			   struct hash_elem *elem)
{
	atomic_store_explicit(&elem->next, atomic_load_explicit(&bucket->first, memory_order_relaxed),
			      memory_order_relaxed);
	atomic_store_explicit(&bucket->first, hash_elem_offset(map, elem), memory_order_release);
}

/* Unlinks elem, leaving its own link intact for readers standing on it.
 * Returns whether it was in the chain. */
static bool hash_unlink(struct bpfvm_map *map, struct hash_bucket *bucket, struct hash_elem *elem)
{
	uint64_t target = hash_elem_offset(map, elem);
	_Atomic uint64_t *link = &bucket->first;
	uint64_t at = atomic_load_explicit(link, memory_order_relaxed);

	for (uint32_t steps = 0; !hash_is_nulls(at) && steps <= hash_table(map)->nr_elems; steps++) {
		struct hash_elem *cur = map_at(map, at);

		if (at == target) {
			atomic_store_explicit(link, atomic_load_explicit(&cur->next, memory_order_relaxed),
					      memory_order_release);
			return true;
		}
		link = &cur->next;
		at = atomic_load_explicit(link, memory_order_relaxed);
	}
	return false;
}

bool hash_unlink_for_eviction(struct bpfvm_map *map, struct hash_elem *elem,
			      struct hash_bucket *held)
{
	struct hash_table *table = hash_table(map);
	struct hash_bucket *bucket = hash_bucket_at(map, table, hash_bucket_index(table, elem->hash));
	bool found;
	int rc;

	if (bucket == held)
		return hash_unlink(map, bucket, elem);
	/* Only tried: waiting here, holding `held`, could deadlock with a
	 * writer of that bucket evicting from ours. */
	rc = map_lock_try(&bucket->lock);
	if (rc < 0)
		return false;
	if (rc == MAP_LOCK_RECOVERED) {
		/* Its chain may hold a dead writer's duplicate: the repair,
		 * which needs every bucket, will see to it. */
		atomic_store(&table->needs_repair, 1);
		map_lock_release(&bucket->lock);
		return false;
	}
	found = hash_unlink(map, bucket, elem);
	map_lock_release(&bucket->lock);
	return found;
}

/* Returns an element that left the table to where it came from. */
static void hash_release_elem(struct bpfvm_map *map, struct hash_table *table,
			      struct hash_elem *elem)
{
	if (table->lru) {
		hash_lru_push(map, elem);
		return;
	}
	hash_free_push(map, table, elem);
	atomic_fetch_sub_explicit(&table->count, 1, memory_order_release);
}

/* ---- Lookup ------------------------------------------------------------ */

struct hash_elem *hash_find(struct bpfvm_map *map, const void *key)
{
	struct hash_table *table = hash_table(map);

	return hash_lookup_nulls(map, table, hash_of_key(map, table, key),
				 key);
}

#define HASH_ODD_SPINS 4096u

/* False when the bucket cannot be settled: a handle mapped read-only can
 * neither take the lock nor repair. */
static bool hash_bucket_settle(struct bpfvm_map *map, struct hash_table *table, uint32_t hash)
{
	struct hash_bucket *bucket = hash_bucket_at(map, table, hash_bucket_index(table, hash));

	if (map->region_rdonly || !hash_bucket_lock(map, bucket))
		return false;
	/* Every write of a linked element happens under this lock: an odd
	 * count still there is no live writer's (a file written by hand, or
	 * a dead writer's whose lock was already taken over), and would make
	 * readers wait for ever. */
	hash_bucket_settle_seq(map, table, bucket, false);
	map_lock_release(&bucket->lock);
	return true;
}

int hash_copy_value(struct bpfvm_map *map, const void *key, void *value, uint64_t flags)
{
	struct hash_table *table = hash_table(map);
	uint32_t hash = hash_of_key(map, table, key);
	uint32_t odd_spins = 0;

	for (;;) {
		struct hash_elem *elem = hash_lookup_nulls(map, table, hash, key);
		uint32_t seq;

		if (!elem)
			return -ENOENT;
		seq = atomic_load_explicit(&elem->seq, memory_order_acquire);
		if (seq & 1) {
			/* Long odd: its writer may be dead. Its bucket's lock
			 * waits for a live one and repairs after a dead one. */
			if (++odd_spins % HASH_ODD_SPINS == 0 &&
			    !hash_bucket_settle(map, table, hash))
				return -EBUSY;
			continue;
		}
		if (elem->hash != hash || memcmp(elem->key, key, map_key_size(map)))
			continue; /* reused for another key meanwhile */
		hash_read_value(map, table, elem, value, flags);
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&elem->seq, memory_order_relaxed) == seq)
			return 0;
	}
}

/* ---- Update ------------------------------------------------------------ */

static int hash_check_update_flags(struct hash_elem *old, uint64_t flags)
{
	if (old && (flags & ~(uint64_t)BPF_F_LOCK) == BPF_NOEXIST)
		return -EEXIST;
	if (!old && (flags & ~(uint64_t)BPF_F_LOCK) == BPF_EXIST)
		return -ENOENT;
	return 0;
}

struct hash_update {
	struct bpfvm_map *map;
	struct hash_table *table;
	const void *key;
	const void *value;
	uint64_t flags;
	uint32_t cpu;
	bool onallcpus;
	uint32_t hash;
	struct hash_bucket *bucket;
	void *old_value;
	bool *replaced;
};

static void hash_note_replaced(struct hash_update *u, struct hash_elem *old)
{
	if (!u->old_value)
		return;
	memcpy(u->old_value, hash_elem_value(u->table, old, 0), map_value_size(u->map));
	*u->replaced = true;
}

/* A fresh element from the free stack, filled with key and value. */
static struct hash_elem *hash_fill_new(struct hash_update *u, struct hash_elem *elem)
{
	hash_write_begin(elem);
	hash_write_key(u->map, elem, u->hash, u->key);
	hash_write_value(u->map, u->table, elem, u->value, u->cpu, u->onallcpus, true);
	hash_write_end(elem);
	return elem;
}

/* HASH (and HASH_OF_MAPS): a new element replaces the old one. */
static int hash_update_plain_locked(struct hash_update *u, struct hash_elem **to_free)
{
	struct hash_elem *old = hash_lookup_locked(u->map, u->bucket, u->hash, u->key);
	struct hash_elem *elem;
	int err = hash_check_update_flags(old, u->flags);

	if (err)
		return err;
	if (old && (u->flags & BPF_F_LOCK)) {
		/* Found only now, under the bucket lock: still in place. */
		map_value_write(u->map, hash_elem_value(u->table, old, 0), u->value, u->flags);
		return 0;
	}
	if (old) {
		hash_note_replaced(u, old);
		if (!hash_claim_spare(u->table)) {
			/* More concurrent replacements than spares: write in
			 * place (readers retry on the sequence count). */
			hash_write_begin(old);
			hash_write_value(u->map, u->table, old, u->value, u->cpu, false, false);
			hash_write_end(old);
			return 0;
		}
	} else if (!hash_claim(&u->table->count, map_max_entries(u->map))) {
		return -E2BIG;
	}
	/* Claimed count or spare: the stack holds an element for us. */
	elem = hash_free_pop(u->map, u->table);
	if (!elem) {
		if (old)
			atomic_fetch_add(&u->table->spares, 1);
		else
			atomic_fetch_sub(&u->table->count, 1);
		return -ENOMEM;
	}
	hash_link_head(u->map, u->bucket, hash_fill_new(u, elem));
	if (old)
		hash_unlink(u->map, u->bucket, old);
	*to_free = old;
	return 0;
}

/* BPF_F_LOCK on an existing key: its value is written in place under its
 * bpf_spin_lock, without the bucket lock (htab_map_update_elem). Returns 1
 * when the key is not there: the caller inserts it. */
static int hash_update_in_place(struct hash_update *u)
{
	struct hash_elem *old = hash_lookup_nulls(u->map, u->table, u->hash, u->key);
	int err = hash_check_update_flags(old, u->flags);

	if (err)
		return err;
	if (!old)
		return 1;
	map_value_write(u->map, hash_elem_value(u->table, old, 0), u->value, u->flags);
	return 0;
}

static int hash_update_plain(struct hash_update *u)
{
	struct hash_elem *old = NULL;
	int err;

	if (u->flags & BPF_F_LOCK) {
		err = hash_update_in_place(u);
		if (err <= 0)
			return err;
	}
	if (!hash_bucket_lock(u->map, u->bucket))
		return -EBUSY;
	err = hash_update_plain_locked(u, &old);
	/* Under the lock, so that a repair finds nothing in flight. */
	if (old) {
		hash_free_push(u->map, u->table, old);
		atomic_fetch_add_explicit(&u->table->spares, 1, memory_order_release);
	}
	map_lock_release(&u->bucket->lock);
	return err;
}

/* PERCPU_HASH: values are updated in place. */
static int hash_update_percpu_locked(struct hash_update *u)
{
	struct hash_elem *old = hash_lookup_locked(u->map, u->bucket, u->hash, u->key);
	struct hash_elem *elem;
	int err = hash_check_update_flags(old, u->flags);

	if (err)
		return err;
	if (old) {
		hash_write_begin(old);
		hash_write_value(u->map, u->table, old, u->value, u->cpu, u->onallcpus, false);
		hash_write_end(old);
		return 0;
	}
	if (!hash_claim(&u->table->count, map_max_entries(u->map)))
		return -E2BIG;
	elem = hash_free_pop(u->map, u->table);
	if (!elem) {
		atomic_fetch_sub(&u->table->count, 1);
		return -ENOMEM;
	}
	hash_link_head(u->map, u->bucket, hash_fill_new(u, elem));
	return 0;
}

static int hash_update_percpu(struct hash_update *u)
{
	int err;

	if (!hash_bucket_lock(u->map, u->bucket))
		return -EBUSY;
	err = hash_update_percpu_locked(u);
	map_lock_release(&u->bucket->lock);
	return err;
}

/* hash_lru_pop found nothing: a list's lock holder died (-EAGAIN: the
 * caller repairs and tries again), or no element can be had. */
static int hash_lru_pop_failed(struct hash_table *table)
{
	return atomic_load(&table->needs_repair) ? -EAGAIN : -ENOMEM;
}

/* LRU_HASH: the new element is taken (evicting if needed) before the key
 * is looked up, as the kernel does, even when the flags then refuse the
 * update. Unlike the kernel, under the bucket lock: an element between
 * the LRU and a chain is always under one (hash.h). */
static int hash_update_lru_locked(struct hash_update *u)
{
	struct hash_elem *elem = hash_lru_pop(u->map, u->hash, u->cpu, u->bucket), *old;
	int err;

	if (!elem)
		return hash_lru_pop_failed(u->table);
	hash_fill_new(u, elem);
	old = hash_lookup_locked(u->map, u->bucket, u->hash, u->key);
	err = hash_check_update_flags(old, u->flags);
	if (err) {
		hash_lru_push(u->map, elem);
		return err;
	}
	hash_link_head(u->map, u->bucket, elem);
	if (old) {
		hash_lru_set_ref(elem);
		hash_note_replaced(u, old);
		hash_unlink(u->map, u->bucket, old);
		hash_lru_push(u->map, old);
	}
	return 0;
}

/* LRU_PERCPU_HASH: in place when the key exists; BPF_EXIST takes no new
 * element. */
static int hash_update_lru_percpu_locked(struct hash_update *u)
{
	struct hash_elem *elem = NULL, *old;
	int err;

	if (u->flags != BPF_EXIST) {
		elem = hash_lru_pop(u->map, u->hash, u->cpu, u->bucket);
		if (!elem)
			return hash_lru_pop_failed(u->table);
	}
	old = hash_lookup_locked(u->map, u->bucket, u->hash, u->key);
	err = hash_check_update_flags(old, u->flags);
	if (!err && old) {
		hash_lru_set_ref(old);
		hash_write_begin(old);
		hash_write_value(u->map, u->table, old, u->value, u->cpu, u->onallcpus, false);
		hash_write_end(old);
	} else if (!err) {
		hash_link_head(u->map, u->bucket, hash_fill_new(u, elem));
		elem = NULL;
	}
	if (elem)
		hash_lru_push(u->map, elem);
	return err;
}

static int hash_update_lru(struct hash_update *u)
{
	for (;;) {
		int err;

		if (!hash_bucket_lock(u->map, u->bucket))
			return -EBUSY;
		err = u->table->percpu ? hash_update_lru_percpu_locked(u) : hash_update_lru_locked(u);
		map_lock_release(&u->bucket->lock);
		if (err != -EAGAIN)
			return err;
		if (!hash_repair(u->map, u->table))
			return -EBUSY;
	}
}

int hash_update_elem(struct bpfvm_map *map, const void *key, const void *value,
		     uint64_t flags, uint32_t cpu, bool onallcpus, void *old_value,
		     bool *replaced)
{
	struct hash_table *table = hash_table(map);
	struct hash_update u = {
		.map = map, .table = table, .key = key, .value = value, .flags = flags,
		.cpu = cpu, .onallcpus = onallcpus, .old_value = old_value, .replaced = replaced,
	};

	/* The kernel: unknown flags are -EINVAL; BPF_F_LOCK needs a
	 * bpf_spin_lock in the value (only HASH values may have one). */
	if ((flags & ~(uint64_t)BPF_F_LOCK) > BPF_EXIST ||
	    ((flags & BPF_F_LOCK) && !map_has_spin_lock(map)))
		return -EINVAL;
	if (replaced)
		*replaced = false;
	u.hash = hash_of_key(map, table, key);
	u.bucket = hash_bucket_at(map, table, hash_bucket_index(table, u.hash));
	if (table->lru)
		return hash_update_lru(&u);
	return table->percpu ? hash_update_percpu(&u) : hash_update_plain(&u);
}

/* ---- Delete, iteration ------------------------------------------------- */

int hash_delete_elem(struct bpfvm_map *map, const void *key, void *value, uint64_t flags)
{
	struct hash_table *table = hash_table(map);
	uint32_t hash = hash_of_key(map, table, key);
	struct hash_bucket *bucket = hash_bucket_at(map, table, hash_bucket_index(table, hash));
	struct hash_elem *elem;

	if (!hash_bucket_lock(map, bucket))
		return -EBUSY;
	elem = hash_lookup_locked(map, bucket, hash, key);
	if (elem) {
		if (value)
			hash_read_value(map, table, elem, value, flags);
		hash_unlink(map, bucket, elem);
		/* Under the lock, so that a repair finds nothing in flight
		 * (hash_repair). An LRU push refused because a list's lock
		 * holder died leaves the element in no chain: the repair
		 * that follows frees it. */
		hash_release_elem(map, table, elem);
	}
	map_lock_release(&bucket->lock);
	return elem ? 0 : -ENOENT;
}

static uint64_t hash_first_in_bucket(struct bpfvm_map *map, struct hash_table *table,
				     uint32_t index)
{
	return atomic_load_explicit(&hash_bucket_at(map, table, index)->first, memory_order_acquire);
}

/* Whether an element nearer the head of elem's chain has elem's key: the
 * old element that a writer killed mid-replace leaves behind the new one,
 * until the next writer of the map repairs it (hash_bucket_drop_duplicates).
 * Readers take no lock and cannot repair, so they skip it: get_next_key
 * would otherwise go from the old element's key back to the new element
 * and round again for ever, and for_each would see the key twice. */
static bool hash_elem_shadowed(struct bpfvm_map *map, struct hash_table *table,
			       const struct hash_elem *elem)
{
	uint64_t at = hash_first_in_bucket(map, table, hash_bucket_index(table, elem->hash));

	for (uint32_t steps = 0; !hash_is_nulls(at) && steps <= table->nr_elems; steps++) {
		const struct hash_elem *cur = map_at(map, at);

		if (cur == elem)
			return false;
		if (cur->hash == elem->hash && !memcmp(cur->key, elem->key, map_key_size(map)))
			return true;
		at = atomic_load_explicit(&cur->next, memory_order_acquire);
	}
	return false;
}

/* The first element from link on that no element before it shadows. */
static uint64_t hash_skip_shadowed(struct bpfvm_map *map, struct hash_table *table,
				   uint64_t link)
{
	for (uint32_t steps = 0; !hash_is_nulls(link) && steps <= table->nr_elems; steps++) {
		struct hash_elem *elem = map_at(map, link);

		if (!hash_elem_shadowed(map, table, elem))
			return link;
		link = atomic_load_explicit(&elem->next, memory_order_acquire);
	}
	return hash_is_nulls(link) ? link : hash_nulls(0);
}

/* The kernel's htab_map_get_next_key: the next element in the key's chain,
 * else the first of the next non-empty bucket; a missing key (or NULL)
 * restarts from the first bucket. A bucket's first element is never
 * shadowed. */
int hash_get_next_key(struct bpfvm_map *map, const void *key, void *next_key)
{
	struct hash_table *table = hash_table(map);
	uint32_t index = 0, key_size = map_key_size(map);

	if (key) {
		uint32_t hash = hash_of_key(map, table, key);
		struct hash_elem *elem = hash_lookup_nulls(map, table, hash, key);

		if (elem) {
			uint64_t next = atomic_load_explicit(&elem->next, memory_order_acquire);

			next = hash_skip_shadowed(map, table, next);
			if (!hash_is_nulls(next)) {
				memcpy(next_key, ((struct hash_elem *)map_at(map, next))->key, key_size);
				return 0;
			}
			index = hash_bucket_index(table, hash) + 1;
		}
	}
	for (; index < table->n_buckets; index++) {
		uint64_t first = hash_first_in_bucket(map, table, index);

		if (!hash_is_nulls(first)) {
			memcpy(next_key, ((struct hash_elem *)map_at(map, first))->key, key_size);
			return 0;
		}
	}
	return -ENOENT;
}

static long hash_bpf_for_each(struct bpfvm_map *map, uint32_t cpu,
			      long (*cb)(struct bpfvm_map *map, void *key, void *value, void *cb_ctx),
			      void *cb_ctx)
{
	struct hash_table *table = hash_table(map);
	long visited = 0;

	for (uint32_t index = 0; index < table->n_buckets; index++) {
		uint64_t link = hash_first_in_bucket(map, table, index);

		for (uint32_t steps = 0;
		     !hash_is_nulls(link = hash_skip_shadowed(map, table, link)) &&
		     steps <= table->nr_elems;
		     steps++) {
			struct hash_elem *elem = map_at(map, link);

			visited++;
			if (cb(map, elem->key, hash_elem_value(table, elem, cpu), cb_ctx))
				return visited;
			link = atomic_load_explicit(&elem->next, memory_order_acquire);
		}
	}
	return visited;
}

/* The CPU of a system call's update, whose LRU local free list it uses:
 * a thread bound to a vCPU of the handle's runtime is on that vCPU (so that
 * its updates evict the same keys on every run: the differential fuzzer's
 * engines disagreed on an LRU's contents when the scheduler moved it
 * between updates), any other thread on the CPU it is running on, as in
 * the kernel. */
uint32_t hash_user_cpu(const struct bpfvm_map *map)
{
	int cpu = bpfvm_cpu_bound(map->vm);

	if (cpu < 0)
		cpu = sched_getcpu();

	return cpu < 0 ? 0 : (uint32_t)cpu % map_nr_cpus(map);
}

/* ---- Program side ------------------------------------------------------ */

/* The program-side lookup (and the kernel's htab_lru_map_lookup_elem's
 * reference bit), inlined into one function per constant key size. */
static inline __attribute__((always_inline)) void *
hash_bpf_lookup_sized(struct bpfvm_map *map, const void *key, uint32_t cpu, uint32_t key_size)
{
	struct hash_table *table = hash_table(map);
	struct hash_elem *elem = hash_walk(map, table, hash_key_hash(key, key_size, table->seed),
					   key, key_size);

	if (!elem)
		return NULL;
	if (table->lru)
		hash_lru_set_ref(elem);
	return hash_elem_value(table, elem, cpu);
}

static void *hash_bpf_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	return hash_bpf_lookup_sized(map, key, cpu, map_key_size(map));
}

static void *hash_bpf_lookup_key4(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	return hash_bpf_lookup_sized(map, key, cpu, 4);
}

static void *hash_bpf_lookup_key8(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	return hash_bpf_lookup_sized(map, key, cpu, 8);
}

static void *hash_bpf_lookup_key16(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	return hash_bpf_lookup_sized(map, key, cpu, 16);
}

hash_bpf_lookup_fn *hash_bpf_lookup_direct(const struct bpfvm_map *map)
{
	if (map->ops != &hash_map_ops && map->ops != &hash_percpu_map_ops &&
	    map->ops != &hash_lru_map_ops && map->ops != &hash_lru_percpu_map_ops)
		return NULL;
	switch (map_key_size(map)) {
	case 4:
		return hash_bpf_lookup_key4;
	case 8:
		return hash_bpf_lookup_key8;
	case 16:
		return hash_bpf_lookup_key16;
	default:
		return hash_bpf_lookup;
	}
}

static void *hash_bpf_lookup_percpu(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	if (cpu >= map_nr_cpus(map))
		return NULL;
	return hash_bpf_lookup(map, key, cpu);
}

static long hash_bpf_update(struct bpfvm_map *map, const void *key, const void *value,
			    uint64_t flags, uint32_t cpu)
{
	return hash_update_elem(map, key, value, flags, cpu, false, NULL, NULL);
}

static long hash_bpf_delete(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	return hash_delete_elem(map, key, NULL, 0);
}

/* ---- User side: the kernel's errno, with a message --------------------- */

static int hash_check_lookup_flags(const struct bpfvm_map *map, uint64_t flags)
{
	if (flags & ~(uint64_t)BPF_F_LOCK) {
		vm_error("map '%.16s': unknown lookup flags 0x%llx", map->region->name,
			 (unsigned long long)flags);
		return -EINVAL;
	}
	if ((flags & BPF_F_LOCK) && !map_has_spin_lock(map)) {
		vm_error("map '%.16s': BPF_F_LOCK needs a bpf_spin_lock in the value",
			 map->region->name);
		return -EINVAL;
	}
	return 0;
}

int hash_not_found(const struct bpfvm_map *map)
{
	vm_error("map '%.16s': no such key", map->region->name);
	return -ENOENT;
}

int hash_lookup(struct bpfvm_map *map, const void *key, void *value, uint64_t flags)
{
	int err = hash_check_lookup_flags(map, flags);

	if (err)
		return err;
	return hash_copy_value(map, key, value, flags) ? hash_not_found(map) : 0;
}

int hash_update_error(const struct bpfvm_map *map, int err, uint64_t flags)
{
	const char *name = map->region->name;

	switch (err) {
	case 0:
		return 0;
	case -EINVAL:
		vm_error("map '%.16s': update flags 0x%llx: only BPF_ANY, BPF_NOEXIST or BPF_EXIST",
			 name, (unsigned long long)flags);
		break;
	case -EEXIST:
		vm_error("map '%.16s': key exists (BPF_NOEXIST)", name);
		break;
	case -ENOENT:
		vm_error("map '%.16s': no such key (BPF_EXIST)", name);
		break;
	case -E2BIG:
		vm_error("map '%.16s': map is full (%u entries)", name, map_max_entries(map));
		break;
	default:
		vm_error("map '%.16s': no free element", name);
		break;
	}
	return err;
}

static int hash_update(struct bpfvm_map *map, const void *key, const void *value,
		       uint64_t flags)
{
	struct hash_table *table = hash_table(map);
	int err = hash_update_elem(map, key, value, flags, hash_user_cpu(map), table->percpu,
				   NULL, NULL);

	return hash_update_error(map, err, flags);
}

static int hash_delete(struct bpfvm_map *map, const void *key)
{
	return hash_delete_elem(map, key, NULL, 0) ? hash_not_found(map) : 0;
}

int hash_get_next(struct bpfvm_map *map, const void *key, void *next_key)
{
	int err = hash_get_next_key(map, key, next_key);

	if (err)
		vm_error("map '%.16s': no more keys", map->region->name);
	return err;
}

static int hash_lookup_and_delete(struct bpfvm_map *map, const void *key, void *value,
				  uint64_t flags)
{
	int err = hash_check_lookup_flags(map, flags);

	if (err)
		return err;
	return hash_delete_elem(map, key, value, flags) ? hash_not_found(map) : 0;
}

/* The ops of the four types, which differ in sharing (LRU types: a
 * program's lookup sets the element's ref bit, a write, so they are never
 * mapped read-only) and in per-CPU lookups. */
#define HASH_MAP_OPS_COMMON                          \
	.batch_ops = HASH_BATCH_OPS,                 \
	.check_attr = hash_check_attr,               \
	.region_size = hash_region_size,             \
	.init = hash_init,                           \
	.bpf_lookup = hash_bpf_lookup,               \
	.bpf_update = hash_bpf_update,               \
	.bpf_delete = hash_bpf_delete,               \
	.bpf_for_each = hash_bpf_for_each,           \
	.lookup = hash_lookup,                       \
	.update = hash_update,                       \
	.delete = hash_delete,                       \
	.get_next_key = hash_get_next,               \
	.lookup_and_delete = hash_lookup_and_delete

const struct map_ops hash_map_ops = {
	HASH_MAP_OPS_COMMON,
	.share = MAP_SHARE_RO,
	.check_region = hash_check_region,
};

const struct map_ops hash_lru_map_ops = {
	HASH_MAP_OPS_COMMON,
	.share = MAP_SHARE_RW,
	.check_region = hash_check_region,
};

const struct map_ops hash_percpu_map_ops = {
	HASH_MAP_OPS_COMMON,
	.share = MAP_SHARE_RO,
	.check_region = hash_check_region,
	.percpu = true,
	.bpf_lookup_percpu = hash_bpf_lookup_percpu,
};

const struct map_ops hash_lru_percpu_map_ops = {
	HASH_MAP_OPS_COMMON,
	.share = MAP_SHARE_RW,
	.check_region = hash_check_region,
	.percpu = true,
	.bpf_lookup_percpu = hash_bpf_lookup_percpu,
};
