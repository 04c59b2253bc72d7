/* BPF_MAP_TYPE_LPM_TRIE (kernel/bpf/lpm_trie.c): longest-prefix match over
 * keys { u32 prefixlen; u8 data[key_size - 4]; } (struct bpf_lpm_trie_key_u8,
 * data in network order, bits numbered from the most significant).
 *
 * The same path-compressed binary trie as the kernel: each node holds a
 * prefix; a child continues its parent's prefix with the bit that follows it.
 * Intermediate nodes (LPM_NODE_IM) only join two subtrees and hold no entry;
 * they always have two children. Nodes come from a pool preallocated inside
 * the region (2 * max_entries - 1 nodes are enough: at most one intermediate
 * node per entry but one), linked by 1-based node numbers (0 = none):
 *
 *   +-------------------------------+ 0
 *   | struct map_region             |
 *   +-------------------------------+ MAP_FAMILY_DATA_OFFSET
 *   | struct lpm_hdr                |
 *   |   lock, seq, root, n_entries, |
 *   |   free list, high water mark  |
 *   +-------------------------------+ family[0]
 *   | node 1 | node 2 | ...         |   pool_size nodes of node_stride bytes
 *   +-------------------------------+
 *
 *   node: +--------+--------+-----------+-------+---------+------+-------+
 *         |child[0]|child[1]| prefixlen | flags | data[]  | pad  | value |
 *         +--------+--------+-----------+-------+---------+------+-------+
 *          u32      u32      u32         u32     data_size  to 8  value_size
 *
 * Free nodes are chained through child[0]; nodes above the high water mark
 * have never been used, so a large pool costs only address space.
 *
 * Writers hold the lock and bump `seq` around every change (odd while
 * changing). Program-side lookups take no lock: they walk, then retry if
 * `seq` moved (a seqlock, where the kernel uses RCU), and fall back to the
 * lock after a few retries. Replacing an entry's value copies it in place,
 * and a deleted node may be reused at once, as the kernel's preallocated
 * hash maps do: a program still holding a pointer to the old value sees the
 * new contents.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "maps/array.h"
#include "maps/map.h"
#include "maps/map_lock.h"

#define LPM_DATA_SIZE_MAX 256u
#define LPM_KEY_SIZE_MIN (4u + 1u)
#define LPM_KEY_SIZE_MAX (4u + LPM_DATA_SIZE_MAX)
/* KMALLOC_MAX_SIZE - LPM_DATA_SIZE_MAX - sizeof(struct lpm_trie_node): the
 * node is 24 bytes in Linux 6.18 (tests/maps/test_map_limits.c finds the
 * boundary there); older kernels' node also held an rcu_head. */
#define LPM_VALUE_SIZE_MAX ((4u << 20) - LPM_DATA_SIZE_MAX - 24u)
#define LPM_CREATE_FLAG_MASK                                                                \
	(BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | \
	 BPF_F_WRONLY_PROG)
#define LPM_MAX_DEPTH (LPM_DATA_SIZE_MAX * 8u + 1u)
#define LPM_READ_RETRIES 16

enum lpm_node_flags {
	LPM_NODE_IM = 1u << 0,	 /* intermediate: no entry */
	LPM_NODE_MARK = 1u << 1, /* reachable (only during a repair) */
};

struct lpm_hdr {
	struct map_owner_lock lock;
	_Atomic uint32_t seq;
	_Atomic uint32_t root;
	uint32_t n_entries;
	uint32_t free_head;
	uint32_t next_unused; /* nodes above it were never used */
	uint32_t pool_size;
	uint32_t data_size;
	uint32_t max_prefixlen;
	uint32_t node_stride;
	uint32_t value_offset; /* inside a node */
};

struct lpm_node {
	_Atomic uint32_t child[2];
	_Atomic uint32_t prefixlen;
	_Atomic uint32_t flags;
	uint8_t data[];
};

/* Packed: a program's key may be at any stack offset, so prefixlen is read
 * without assuming its alignment. */
struct lpm_key {
	uint32_t prefixlen;
	uint8_t data[];
} __attribute__((packed));

#define LPM_NODES_OFFSET (MAP_FAMILY_DATA_OFFSET + ((sizeof(struct lpm_hdr) + 63) / 64) * 64)

static struct lpm_hdr *lpm_hdr(const struct bpfvm_map *map)
{
	return map_at(map, MAP_FAMILY_DATA_OFFSET);
}

static struct lpm_node *lpm_node(const struct bpfvm_map *map, uint32_t number)
{
	return (struct lpm_node *)((uint8_t *)map_at(map, map->region->family[0]) +
				   (uint64_t)(number - 1) * lpm_hdr(map)->node_stride);
}

static uint8_t *lpm_value(const struct bpfvm_map *map, struct lpm_node *node)
{
	return (uint8_t *)node + lpm_hdr(map)->value_offset;
}

static uint32_t lpm_load(_Atomic uint32_t *field)
{
	return atomic_load_explicit(field, memory_order_relaxed);
}

static void lpm_store(_Atomic uint32_t *field, uint32_t value)
{
	atomic_store_explicit(field, value, memory_order_release);
}

/* ---- Attributes and layout ------------------------------------------ */

static int lpm_check_attr(const struct map_attr *attr)
{
	if (attr->max_entries == 0 || !(attr->map_flags & BPF_F_NO_PREALLOC) ||
	    (attr->map_flags & ~LPM_CREATE_FLAG_MASK) || attr->key_size < LPM_KEY_SIZE_MIN ||
	    attr->key_size > LPM_KEY_SIZE_MAX || attr->value_size < 1 ||
	    attr->value_size > LPM_VALUE_SIZE_MAX) {
		vm_error("map '%.16s': an LPM trie needs BPF_F_NO_PREALLOC, key_size %u..%u (got "
			 "%u), value_size 1..%u (got %u), max_entries > 0 (got %u) and no flags "
			 "beyond 0x%x (got 0x%x)",
			 attr->name, LPM_KEY_SIZE_MIN, LPM_KEY_SIZE_MAX, attr->key_size,
			 LPM_VALUE_SIZE_MAX, attr->value_size, attr->max_entries,
			 LPM_CREATE_FLAG_MASK, attr->map_flags);
		return -EINVAL;
	}
	return 0;
}

static uint32_t lpm_value_offset(uint32_t key_size)
{
	uint32_t data_size = key_size - 4;

	return (uint32_t)((sizeof(struct lpm_node) + data_size + 7u) & ~7u);
}

static uint32_t lpm_node_stride(const struct map_attr *attr)
{
	return (lpm_value_offset(attr->key_size) + attr->value_size + 7u) & ~7u;
}

/* 2 * max_entries - 1 nodes, numbered from 1 by a u32. */
static uint64_t lpm_pool_size(uint32_t max_entries)
{
	uint64_t nodes = 2ull * max_entries - 1;

	return nodes < UINT32_MAX ? nodes : UINT32_MAX - 1;
}

static size_t lpm_region_size(const struct map_attr *attr)
{
	uint64_t bytes = lpm_pool_size(attr->max_entries) * lpm_node_stride(attr);

	if (bytes > SIZE_MAX - LPM_NODES_OFFSET)
		return SIZE_MAX;
	return LPM_NODES_OFFSET + bytes;
}

static const struct lpm_node *lpm_region_node(const struct map_region *region,
					      const struct lpm_hdr *hdr, uint32_t number)
{
	return (const void *)((const uint8_t *)region + LPM_NODES_OFFSET +
			      (uint64_t)(number - 1) * hdr->node_stride);
}

/* Whether a walk of the trie from its root, and of the free list, ends: a
 * cycle would make every walk loop. The budget is generous (a writer of
 * another process may move nodes while we walk, which must not make a good
 * file look bad), and a depth beyond the deepest trie is a cycle too. */
static bool lpm_region_walks_end(const struct map_region *region, const struct lpm_hdr *hdr)
{
	uint32_t stack[LPM_MAX_DEPTH + 1], depth = 0, number;
	uint64_t budget = 2ull * hdr->next_unused + LPM_MAX_DEPTH;

	number = atomic_load_explicit(&hdr->root, memory_order_relaxed);
	if (number)
		stack[depth++] = number;
	while (depth) {
		const struct lpm_node *node = lpm_region_node(region, hdr, stack[--depth]);

		if (budget-- == 0)
			return false;
		for (int i = 0; i < 2; i++) {
			number = atomic_load_explicit(&node->child[i], memory_order_relaxed);
			if (!number)
				continue;
			if (depth > LPM_MAX_DEPTH || number > hdr->pool_size)
				return false;
			stack[depth++] = number;
		}
	}
	budget = 2ull * hdr->next_unused + 1;
	for (number = hdr->free_head; number; budget--) {
		if (!budget || number > hdr->pool_size)
			return false;
		number = atomic_load_explicit(&lpm_region_node(region, hdr, number)->child[0],
					      memory_order_relaxed);
	}
	return true;
}

static int lpm_check_region(const struct map_region *region, const char **why)
{
	const struct lpm_hdr *hdr =
		(const void *)((const uint8_t *)region + MAP_FAMILY_DATA_OFFSET);
	struct map_attr attr = { .key_size = region->key_size, .value_size = region->value_size };
	uint32_t pool_size = hdr->pool_size;

	if (region->family[0] != LPM_NODES_OFFSET || hdr->data_size != region->key_size - 4 ||
	    hdr->max_prefixlen != hdr->data_size * 8 ||
	    pool_size != lpm_pool_size(region->max_entries) ||
	    hdr->node_stride != lpm_node_stride(&attr) ||
	    hdr->value_offset != lpm_value_offset(region->key_size)) {
		*why = "its node pool's layout is not the one its attributes give";
		return -EINVAL;
	}
	if (atomic_load_explicit(&hdr->root, memory_order_relaxed) > pool_size ||
	    hdr->free_head > pool_size || hdr->next_unused > pool_size ||
	    hdr->n_entries > region->max_entries) {
		*why = "its root, free list or counts are outside its node pool";
		return -EINVAL;
	}
	/* Children and the free chain are node numbers: none may be outside
	 * the pool. */
	for (uint32_t number = 1; number <= hdr->next_unused; number++) {
		const struct lpm_node *node = lpm_region_node(region, hdr, number);

		if (atomic_load_explicit(&node->child[0], memory_order_relaxed) > pool_size ||
		    atomic_load_explicit(&node->child[1], memory_order_relaxed) > pool_size) {
			*why = "a node's child is outside its node pool";
			return -EINVAL;
		}
	}
	if (!lpm_region_walks_end(region, hdr)) {
		*why = "its trie or free list has a cycle";
		return -EINVAL;
	}
	return 0;
}

static int lpm_init(struct bpfvm_map *map)
{
	struct lpm_hdr *hdr = lpm_hdr(map);
	struct map_attr attr = {
		.key_size = map_key_size(map),
		.value_size = map_value_size(map),
	};

	hdr->data_size = map_key_size(map) - 4;
	hdr->max_prefixlen = hdr->data_size * 8;
	hdr->pool_size = (uint32_t)lpm_pool_size(map_max_entries(map));
	hdr->node_stride = lpm_node_stride(&attr);
	hdr->value_offset = lpm_value_offset(map_key_size(map));
	map->region->family[0] = LPM_NODES_OFFSET;
	map_owner_lock_init(&hdr->lock);
	return 0;
}

/* ---- Bits and prefixes (as the kernel's) ---------------------------- */

static unsigned lpm_extract_bit(const uint8_t *data, uint32_t index)
{
	return (data[index / 8] >> (7 - index % 8)) & 1;
}

static uint64_t lpm_be64(const uint8_t *bytes)
{
	uint64_t word;

	memcpy(&word, bytes, sizeof(word));
	return __builtin_bswap64(word);
}

static uint32_t lpm_be32(const uint8_t *bytes)
{
	uint32_t word;

	memcpy(&word, bytes, sizeof(word));
	return __builtin_bswap32(word);
}

/* Number of leading bits that a and b (size bytes each) share, up to limit:
 * the kernel's __longest_prefix_match, which compares 8, then 4-byte words
 * and takes the first differing bit from the difference's leading zeros,
 * rather than a byte at a time (IPv4 keys: one compare; IPv6: two). */
static inline __attribute__((always_inline)) uint32_t
lpm_common_bits(const uint8_t *a, const uint8_t *b, uint32_t size, uint32_t limit)
{
	uint32_t len = 0, i = 0;

	for (; i + 8 <= size; i += 8) {
		uint64_t diff = lpm_be64(a + i) ^ lpm_be64(b + i);

		len += diff ? (uint32_t)__builtin_clzll(diff) : 64;
		if (len >= limit)
			return limit;
		if (diff)
			return len;
	}
	if (i + 4 <= size) {
		uint32_t diff = lpm_be32(a + i) ^ lpm_be32(b + i);

		len += diff ? (uint32_t)__builtin_clz(diff) : 32;
		if (len >= limit)
			return limit;
		if (diff)
			return len;
		i += 4;
	}
	for (; i < size; i++) {
		uint8_t diff = a[i] ^ b[i];

		len += diff ? (uint32_t)__builtin_clz(diff) - 24 : 8;
		if (len >= limit)
			return limit;
		if (diff)
			return len;
	}
	return len;
}

/* Number of leading bits that node and key share, up to the shorter of
 * their prefix lengths. */
static uint32_t lpm_match_len(const struct lpm_hdr *hdr, struct lpm_node *node,
			      const struct lpm_key *key)
{
	uint32_t node_len = lpm_load(&node->prefixlen);
	uint32_t limit = node_len < key->prefixlen ? node_len : key->prefixlen;

	return lpm_common_bits(node->data, key->data, hdr->data_size, limit);
}

/* ---- Lookup ---------------------------------------------------------- */

/* Keys of 4 or 8 data bytes (IPv4's, for one) are held left-aligned in one
 * 64-bit word, so that matching a node is one xor and choosing its child a
 * shift of a register: the walk is a chain of dependent loads (child number,
 * node, prefix length, child), and reading the key's byte for the next bit
 * would add a load to every link of it. */
static inline __attribute__((always_inline)) uint64_t lpm_word(const uint8_t *data, uint32_t size)
{
	return size == 8 ? lpm_be64(data) : (uint64_t)lpm_be32(data) << 32;
}

/* lpm_walk's body, for a data size that is a constant 4 or 8 (the key in a
 * word), or any other (the key compared a word at a time, as by writers). */
static inline __attribute__((always_inline)) uint32_t
lpm_walk_sized(const struct bpfvm_map *map, const struct lpm_key *key, uint32_t size)
{
	struct lpm_hdr *hdr = lpm_hdr(map);
	/* The walk's constants in locals: loads through the nodes' atomics
	 * would otherwise make the compiler reload them at every node. */
	const uint32_t max_len = hdr->max_prefixlen, pool_size = hdr->pool_size;
	const uint32_t stride = hdr->node_stride;
	/* Node n is at nodes + n * stride: no subtraction on the chain. */
	const uintptr_t nodes = (uintptr_t)map_at(map, map->region->family[0]) - stride;
	const bool in_word = size == 4 || size == 8;
	const uint64_t key_word = in_word ? lpm_word(key->data, size) : 0;
	const uint32_t key_len = key->prefixlen;
	uint32_t number = lpm_load(&hdr->root);
	uint32_t found = 0, min_len = 0;

	if (key_len > max_len)
		return 0;
	while (number && number <= pool_size) {
		struct lpm_node *node = (struct lpm_node *)(nodes + (uintptr_t)number * stride);
		uint32_t node_len = lpm_load(&node->prefixlen);
		uint32_t limit = node_len < key_len ? node_len : key_len;
		uint32_t match, bit;

		if (node_len < min_len || node_len > max_len)
			break;
		if (in_word) {
			uint64_t diff = lpm_word(node->data, size) ^ key_word;

			match = diff ? (uint32_t)__builtin_clzll(diff) : 64;
			match = match < limit ? match : limit;
		} else {
			match = lpm_common_bits(node->data, key->data, size, limit);
		}
		if (match == max_len)
			return number;
		if (match < node_len)
			break;
		if (!(lpm_load(&node->flags) & LPM_NODE_IM))
			found = number;
		if (node_len == max_len)
			break;
		min_len = node_len + 1;
		/* node_len < max_len <= 64 here. */
		bit = in_word ? (uint32_t)(key_word >> (63 - node_len)) & 1
			      : lpm_extract_bit(key->data, node_len);
		number = lpm_load(&node->child[bit]);
	}
	return found;
}

/* The longest-prefix match for key, or 0. Safe without the lock: a walk that
 * meets a node being changed may end anywhere, never outside the pool or in
 * a loop (prefix lengths strictly grow along a path); the seqlock tells the
 * caller to retry. */
static uint32_t lpm_walk(const struct bpfvm_map *map, const struct lpm_key *key)
{
	switch (lpm_hdr(map)->data_size) {
	case 4:
		return lpm_walk_sized(map, key, 4);
	case 8:
		return lpm_walk_sized(map, key, 8);
	default:
		return lpm_walk_sized(map, key, lpm_hdr(map)->data_size);
	}
}

static void lpm_lock(struct bpfvm_map *map);

static void *lpm_bpf_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	struct lpm_hdr *hdr = lpm_hdr(map);
	uint32_t number;

	for (int attempt = 0; attempt < LPM_READ_RETRIES; attempt++) {
		uint32_t seq = atomic_load_explicit(&hdr->seq, memory_order_acquire);

		if (seq & 1)
			continue;
		number = lpm_walk(map, key);
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&hdr->seq, memory_order_relaxed) == seq)
			return number ? lpm_value(map, lpm_node(map, number)) : NULL;
	}
	/* Writers keep moving (or one died mid-change): wait for them. */
	lpm_lock(map);
	number = lpm_walk(map, key);
	map_owner_lock_release(&hdr->lock);
	return number ? lpm_value(map, lpm_node(map, number)) : NULL;
}

/* ---- Writers --------------------------------------------------------- */

static uint32_t lpm_node_alloc(struct bpfvm_map *map)
{
	struct lpm_hdr *hdr = lpm_hdr(map);
	uint32_t number = hdr->free_head;

	if (number) {
		hdr->free_head = lpm_load(&lpm_node(map, number)->child[0]);
		return number;
	}
	if (hdr->next_unused < hdr->pool_size)
		return ++hdr->next_unused;
	return 0;
}

static void lpm_node_free(struct bpfvm_map *map, uint32_t number)
{
	struct lpm_hdr *hdr = lpm_hdr(map);

	lpm_store(&lpm_node(map, number)->child[0], hdr->free_head);
	hdr->free_head = number;
}

/* A node not yet linked: nobody reads it, plain stores are fine. */
static uint32_t lpm_node_new(struct bpfvm_map *map, uint32_t prefixlen, uint32_t flags,
			     const uint8_t *data, const void *value)
{
	uint32_t number = lpm_node_alloc(map);
	struct lpm_node *node;

	if (!number)
		return 0;
	node = lpm_node(map, number);
	lpm_store(&node->child[0], 0);
	lpm_store(&node->child[1], 0);
	lpm_store(&node->prefixlen, prefixlen);
	lpm_store(&node->flags, flags);
	memcpy(node->data, data, lpm_hdr(map)->data_size);
	if (value)
		memcpy(lpm_value(map, node), value, map_value_size(map));
	return number;
}

/* Rebuilds what a writer that died holding the lock may have left wrong:
 * the entry count and the free list (nodes allocated but never linked, or
 * unlinked but never freed). Every link change is a single store, so the
 * tree itself is whole. */
static void lpm_repair(struct bpfvm_map *map)
{
	struct lpm_hdr *hdr = lpm_hdr(map);
	uint32_t stack[LPM_MAX_DEPTH + 1];
	uint32_t depth = 0;

	hdr->n_entries = 0;
	if (lpm_load(&hdr->root))
		stack[depth++] = lpm_load(&hdr->root);
	while (depth) {
		struct lpm_node *node = lpm_node(map, stack[--depth]);
		uint32_t flags = lpm_load(&node->flags);

		lpm_store(&node->flags, flags | LPM_NODE_MARK);
		if (!(flags & LPM_NODE_IM))
			hdr->n_entries++;
		for (int i = 1; i >= 0; i--)
			if (lpm_load(&node->child[i]) && depth <= LPM_MAX_DEPTH)
				stack[depth++] = lpm_load(&node->child[i]);
	}
	hdr->free_head = 0;
	for (uint32_t number = hdr->next_unused; number >= 1; number--) {
		struct lpm_node *node = lpm_node(map, number);
		uint32_t flags = lpm_load(&node->flags);

		if (flags & LPM_NODE_MARK)
			lpm_store(&node->flags, flags & ~(uint32_t)LPM_NODE_MARK);
		else
			lpm_node_free(map, number);
	}
}

/* Takes the lock; after a holder's death, first undoes what it may have
 * left: an odd seq (readers would retry forever) and the pool's books. */
static void lpm_lock(struct bpfvm_map *map)
{
	struct lpm_hdr *hdr = lpm_hdr(map);

	if (map_owner_lock_acquire(&hdr->lock) == MAP_LOCK_RECOVERED) {
		if (atomic_load_explicit(&hdr->seq, memory_order_relaxed) & 1)
			atomic_fetch_add_explicit(&hdr->seq, 1, memory_order_release);
		lpm_repair(map);
	}
}

static void lpm_write_lock(struct bpfvm_map *map)
{
	struct lpm_hdr *hdr = lpm_hdr(map);

	lpm_lock(map);
	atomic_fetch_add_explicit(&hdr->seq, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

static void lpm_write_unlock(struct bpfvm_map *map)
{
	struct lpm_hdr *hdr = lpm_hdr(map);

	atomic_fetch_add_explicit(&hdr->seq, 1, memory_order_release);
	map_owner_lock_release(&hdr->lock);
}

/* trie_check_add_elem: a new entry is about to be added. */
static int lpm_check_add(const struct bpfvm_map *map, uint64_t flags)
{
	struct lpm_hdr *hdr = lpm_hdr(map);

	if (flags == BPF_EXIST)
		return -ENOENT;
	if (hdr->n_entries >= map_max_entries(map))
		return -ENOSPC;
	hdr->n_entries++;
	return 0;
}

/* Links a new entry below `node` (the node where the walk for key stopped,
 * at *slot), with an intermediate node when neither prefix contains the
 * other. */
static int lpm_insert_at(struct bpfvm_map *map, _Atomic uint32_t *slot, uint32_t number,
			 uint32_t match, const struct lpm_key *key, const void *value)
{
	struct lpm_node *node = lpm_node(map, number);
	uint32_t fresh = lpm_node_new(map, key->prefixlen, 0, key->data, value);
	uint32_t im;

	if (!fresh)
		return -ENOMEM;
	if (match == key->prefixlen) {
		/* The new prefix contains node's: it becomes node's parent. */
		lpm_store(&lpm_node(map, fresh)->child[lpm_extract_bit(node->data, match)], number);
		lpm_store(slot, fresh);
		return 0;
	}
	im = lpm_node_new(map, match, LPM_NODE_IM, node->data, NULL);
	if (!im) {
		lpm_node_free(map, fresh);
		return -ENOMEM;
	}
	if (lpm_extract_bit(key->data, match)) {
		lpm_store(&lpm_node(map, im)->child[0], number);
		lpm_store(&lpm_node(map, im)->child[1], fresh);
	} else {
		lpm_store(&lpm_node(map, im)->child[0], fresh);
		lpm_store(&lpm_node(map, im)->child[1], number);
	}
	lpm_store(slot, im);
	return 0;
}

/* The kernel swaps in a new node holding the new key and value; in place,
 * the same: the key's bits past the prefix (which get_next_key returns) are
 * the latest update's. Readers match only within the prefix, which is
 * unchanged; the value goes before the flag that makes a node an entry. */
static void lpm_replace(struct bpfvm_map *map, struct lpm_node *node, const struct lpm_key *key,
			const void *value)
{
	memcpy(node->data, key->data, lpm_hdr(map)->data_size);
	memcpy(lpm_value(map, node), value, map_value_size(map));
	lpm_store(&node->flags, 0);
}

static int lpm_update_locked(struct bpfvm_map *map, const struct lpm_key *key, const void *value,
			     uint64_t flags)
{
	struct lpm_hdr *hdr = lpm_hdr(map);
	_Atomic uint32_t *slot = &hdr->root;
	uint32_t number, match = 0;
	struct lpm_node *node = NULL;
	int err;

	while ((number = lpm_load(slot))) {
		node = lpm_node(map, number);
		match = lpm_match_len(hdr, node, key);
		if (lpm_load(&node->prefixlen) != match || match == key->prefixlen)
			break;
		slot = &node->child[lpm_extract_bit(key->data, match)];
	}
	if (!number) {
		err = lpm_check_add(map, flags);
		if (err)
			return err;
		number = lpm_node_new(map, key->prefixlen, 0, key->data, value);
		if (!number) {
			hdr->n_entries--;
			return -ENOMEM;
		}
		lpm_store(slot, number);
		return 0;
	}
	if (lpm_load(&node->prefixlen) == match) {
		/* The same prefix: replace the entry, or fill an intermediate
		 * node. */
		if (!(lpm_load(&node->flags) & LPM_NODE_IM)) {
			if (flags == BPF_NOEXIST)
				return -EEXIST;
		} else {
			err = lpm_check_add(map, flags);
			if (err)
				return err;
		}
		lpm_replace(map, node, key, value);
		return 0;
	}
	err = lpm_check_add(map, flags);
	if (err)
		return err;
	err = lpm_insert_at(map, slot, number, match, key, value);
	if (err)
		hdr->n_entries--;
	return err;
}

static long lpm_bpf_update(struct bpfvm_map *map, const void *key, const void *value,
			   uint64_t flags, uint32_t cpu)
{
	const struct lpm_key *lpm_key = key;
	int err;

	if (flags > BPF_EXIST || lpm_key->prefixlen > lpm_hdr(map)->max_prefixlen)
		return -EINVAL;
	lpm_write_lock(map);
	err = lpm_update_locked(map, lpm_key, value, flags);
	lpm_write_unlock(map);
	return err;
}

/* Unlinks the entry at *slot (node `number`, whose parent is `parent` at
 * *parent_slot), keeping every intermediate node with two children. */
static void lpm_remove_at(struct bpfvm_map *map, _Atomic uint32_t *slot, uint32_t number,
			  uint32_t parent, _Atomic uint32_t *parent_slot)
{
	struct lpm_node *node = lpm_node(map, number);
	uint32_t left = lpm_load(&node->child[0]);
	uint32_t right = lpm_load(&node->child[1]);

	if (left && right) {
		lpm_store(&node->flags, LPM_NODE_IM);
		return;
	}
	if (parent && (lpm_load(&lpm_node(map, parent)->flags) & LPM_NODE_IM) && !left && !right) {
		struct lpm_node *im = lpm_node(map, parent);
		uint32_t sibling = lpm_load(&im->child[0]) == number ? lpm_load(&im->child[1])
								      : lpm_load(&im->child[0]);

		lpm_store(parent_slot, sibling);
		lpm_node_free(map, parent);
		lpm_node_free(map, number);
		return;
	}
	lpm_store(slot, left ? left : right);
	lpm_node_free(map, number);
}

static int lpm_delete_locked(struct bpfvm_map *map, const struct lpm_key *key)
{
	struct lpm_hdr *hdr = lpm_hdr(map);
	_Atomic uint32_t *slot = &hdr->root, *parent_slot = slot;
	uint32_t number, parent = 0, match = 0;
	struct lpm_node *node = NULL;

	while ((number = lpm_load(slot))) {
		node = lpm_node(map, number);
		match = lpm_match_len(hdr, node, key);
		if (lpm_load(&node->prefixlen) != match || match == key->prefixlen)
			break;
		parent = number;
		parent_slot = slot;
		slot = &node->child[lpm_extract_bit(key->data, match)];
	}
	if (!number || lpm_load(&node->prefixlen) != key->prefixlen ||
	    lpm_load(&node->prefixlen) != match || (lpm_load(&node->flags) & LPM_NODE_IM))
		return -ENOENT;
	hdr->n_entries--;
	lpm_remove_at(map, slot, number, parent, parent_slot);
	return 0;
}

static long lpm_bpf_delete(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	const struct lpm_key *lpm_key = key;
	int err;

	if (lpm_key->prefixlen > lpm_hdr(map)->max_prefixlen)
		return -EINVAL;
	lpm_write_lock(map);
	err = lpm_delete_locked(map, lpm_key);
	lpm_write_unlock(map);
	return err;
}

/* ---- User side ------------------------------------------------------- */

static int lpm_lookup(struct bpfvm_map *map, const void *key, void *value, uint64_t flags)
{
	struct lpm_hdr *hdr = lpm_hdr(map);
	uint32_t number;

	lpm_lock(map);
	number = lpm_walk(map, key);
	if (number)
		memcpy(value, lpm_value(map, lpm_node(map, number)), map_value_size(map));
	map_owner_lock_release(&hdr->lock);
	return number ? 0 : -ENOENT;
}

static int lpm_update(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags)
{
	return (int)lpm_bpf_update(map, key, value, flags, 0);
}

static int lpm_delete(struct bpfvm_map *map, const void *key)
{
	return (int)lpm_bpf_delete(map, key, 0);
}

/* The leftmost entry of the subtree at `number` in post-order: descend,
 * left first, to the first node without children below; intermediate
 * nodes always have two. */
static uint32_t lpm_leftmost(const struct bpfvm_map *map, uint32_t number)
{
	uint32_t found = 0;

	while (number) {
		struct lpm_node *node = lpm_node(map, number);

		if (!(lpm_load(&node->flags) & LPM_NODE_IM))
			found = number;
		number = lpm_load(&node->child[0]) ? lpm_load(&node->child[0])
						   : lpm_load(&node->child[1]);
	}
	return found;
}

/* trie_get_next_key: post-order (more specific prefixes first). A key that
 * is not in the trie restarts from the first entry. */
static uint32_t lpm_next_locked(const struct bpfvm_map *map, const struct lpm_key *key)
{
	struct lpm_hdr *hdr = lpm_hdr(map);
	uint32_t root = lpm_load(&hdr->root);
	uint32_t path[LPM_MAX_DEPTH];
	uint32_t depth = 0, number = root, match = 0;
	struct lpm_node *node = NULL;

	if (!root)
		return 0;
	if (!key || key->prefixlen > hdr->max_prefixlen)
		return lpm_leftmost(map, root);
	while (number && depth < LPM_MAX_DEPTH) {
		path[depth++] = number;
		node = lpm_node(map, number);
		match = lpm_match_len(hdr, node, key);
		if (lpm_load(&node->prefixlen) != match || match == key->prefixlen)
			break;
		number = lpm_load(&node->child[lpm_extract_bit(key->data, match)]);
	}
	if (!number || lpm_load(&node->prefixlen) != match || lpm_load(&node->prefixlen) != key->prefixlen ||
	    (lpm_load(&node->flags) & LPM_NODE_IM))
		return lpm_leftmost(map, root);
	/* Up from the node: the next is the leftmost of the right sibling
	 * subtree, else the parent (when it is an entry). */
	for (; depth > 1; depth--) {
		struct lpm_node *parent = lpm_node(map, path[depth - 2]);
		uint32_t right = lpm_load(&parent->child[1]);

		if (lpm_load(&parent->child[0]) == path[depth - 1] && right)
			return lpm_leftmost(map, right);
		if (!(lpm_load(&parent->flags) & LPM_NODE_IM))
			return path[depth - 2];
	}
	return 0;
}

static int lpm_get_next_key(struct bpfvm_map *map, const void *key, void *next_key)
{
	struct lpm_hdr *hdr = lpm_hdr(map);
	struct lpm_key *next = next_key;
	uint32_t number;

	lpm_lock(map);
	number = lpm_next_locked(map, key);
	if (number) {
		struct lpm_node *node = lpm_node(map, number);

		next->prefixlen = lpm_load(&node->prefixlen);
		memcpy(next->data, node->data, hdr->data_size);
	}
	map_owner_lock_release(&hdr->lock);
	return number ? 0 : -ENOENT;
}

const struct map_ops lpm_trie_map_ops = {
	.share = MAP_SHARE_RW,
	.check_region = lpm_check_region,
	.batch_ops = MAP_BATCH_LOOKUP | MAP_BATCH_UPDATE | MAP_BATCH_DELETE,
	.check_attr = lpm_check_attr,
	.region_size = lpm_region_size,
	.init = lpm_init,
	.bpf_lookup = lpm_bpf_lookup,
	.bpf_update = lpm_bpf_update,
	.bpf_delete = lpm_bpf_delete,
	.lookup = lpm_lookup,
	.update = lpm_update,
	.delete = lpm_delete,
	.get_next_key = lpm_get_next_key,
};
