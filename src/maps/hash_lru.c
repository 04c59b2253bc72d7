/* The LRU of LRU_HASH and LRU_PERCPU_HASH maps: which element a full map
 * gives up. The algorithm is the kernel's (kernel/bpf/bpf_lru_list.c), so
 * that the same sequence of operations on one CPU evicts the same keys:
 *
 * - Each element sits on one list: ACTIVE, INACTIVE or FREE of an LRU
 *   list, or LOCAL_FREE / LOCAL_PENDING of a CPU's local list. A lookup
 *   from a program sets the element's ref bit and nothing else.
 * - Common LRU (the default): one global list plus, per CPU, a local free
 *   list and a pending list (elements handed out by this CPU and not yet
 *   moved to the global list). A CPU whose local free list is empty flushes
 *   its pending elements into the global list (referenced ones to ACTIVE,
 *   others to INACTIVE), rotates the global list, and takes up to
 *   target_free = clamp(max_entries / nr_cpus / 2, 1, 128) free elements,
 *   evicting unreferenced INACTIVE ones (at most nr_scans = 128 scanned)
 *   when the global free list runs short, or one element regardless of
 *   its ref bit if that found none. When even that fails it steals from
 *   other CPUs' local lists, round robin.
 * - BPF_F_NO_COMMON_LRU: each CPU has its own list of max_entries/nr_cpus
 *   elements and nr_scans = 4; an element stays on its CPU's list.
 * - Rotation: when INACTIVE is shorter than ACTIVE, the tail of ACTIVE is
 *   scanned (referenced elements go back to its head, others to INACTIVE);
 *   then INACTIVE is scanned from a rotating cursor, moving referenced
 *   elements to ACTIVE.
 *
 * Layout (offsets in the region, after the elements; see hash.h):
 *
 *   struct hash_lru        nr_scans, target_free, offsets below
 *   struct hash_lru_list[] one (common) or nr_cpus (per-CPU lists):
 *                          counts, rotation cursor, lock
 *   struct hash_lru_local[] nr_cpus local lists (common only): next_steal, lock
 *   struct hash_lru_link[] list heads: 3 per LRU list (ACTIVE, INACTIVE,
 *                          FREE), then 2 per local list (FREE, PENDING)
 *
 * Lists link ids, not pointers: id i < nr_elems is element i's node, id
 * nr_elems + h is head h.
 *
 * Lock order: the bucket being updated or deleted from (hash.c holds it
 * across every call here), then a local list, then the global list; an
 * eviction then only tries the victim's bucket (hash_unlink_for_eviction).
 * Holding a bucket lock across the whole move is what makes the map safe
 * against a writer killed at any moment (docs/namespace.md): an element
 * leaves a chain for a free list, or a free list for a chain, only under a
 * bucket lock, so whoever holds every bucket lock knows that an element in
 * no chain is free. A list lock whose holder died, or any list lock while
 * a repair is pending, is refused (lru_lock): the caller gives up, and
 * hash.c repairs (hash_lru_rebuild) and tries again.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "maps/hash.h"

#define HASH_LRU_LOCAL_FREE_TARGET 128u
#define HASH_LRU_LOCAL_NR_SCANS HASH_LRU_LOCAL_FREE_TARGET
#define HASH_LRU_PERCPU_FREE_TARGET 4u
#define HASH_LRU_PERCPU_NR_SCANS HASH_LRU_PERCPU_FREE_TARGET
#define HASH_LRU_ALIGN 64u

struct hash_lru_list {
	uint32_t counts[2]; /* ACTIVE, INACTIVE */
	uint32_t next_inactive_rotation; /* link id */
	uint32_t pad;
	struct map_lock lock;
};

struct hash_lru_local {
	uint32_t next_steal;
	uint32_t pad;
	struct map_lock lock;
};

struct hash_lru {
	uint32_t percpu;
	uint32_t nr_scans;
	uint32_t target_free;
	uint32_t nr_lists;
	uint64_t lists_off;
	uint64_t locals_off;
	uint64_t heads_off;
};

/* Everything a list operation needs, resolved once per call. */
struct lru_ctx {
	struct bpfvm_map *map;
	struct hash_table *table;
	struct hash_lru *lru;
	struct hash_lru_link *heads;
	uint32_t nr_cpus;
	/* Bound on any walk of a list: its length, were it whole. A list
	 * left corrupt (a crafted file) must not make a walk go round for
	 * ever. */
	uint32_t max_steps;
	struct hash_bucket *held; /* the bucket lock the caller holds */
};

static uint64_t lru_round_up(uint64_t value)
{
	return (value + HASH_LRU_ALIGN - 1) / HASH_LRU_ALIGN * HASH_LRU_ALIGN;
}

size_t hash_lru_size(uint32_t nr_cpus, bool percpu_lru)
{
	uint64_t lists = percpu_lru ? nr_cpus : 1, locals = percpu_lru ? 0 : nr_cpus;
	uint64_t size = lru_round_up(sizeof(struct hash_lru));

	size += lru_round_up(lists * sizeof(struct hash_lru_list));
	size += lru_round_up(locals * sizeof(struct hash_lru_local));
	size += (lists * 3 + locals * 2) * sizeof(struct hash_lru_link);
	return (size_t)size;
}

static struct lru_ctx lru_ctx(struct bpfvm_map *map)
{
	struct hash_table *table = hash_table(map);
	struct hash_lru *lru = map_at(map, table->lru_off);

	return (struct lru_ctx){
		.map = map, .table = table, .lru = lru,
		.heads = map_at(map, lru->heads_off), .nr_cpus = map_nr_cpus(map),
		.max_steps = table->nr_elems + 1,
	};
}

/* Takes a list lock under a bucket lock. Refused when its holder died
 * (the table is marked for repair first, so the mark survives this
 * process) or a repair is pending: a dead holder may have left a list
 * half moved, and only the repair, holding every lock, may touch it. */
static bool lru_lock(const struct lru_ctx *c, struct map_lock *lock)
{
	int rc = map_lock_acquire(lock);

	if (rc < 0)
		return false;
	if (rc == MAP_LOCK_RECOVERED)
		atomic_store(&c->table->needs_repair, 1);
	if (atomic_load_explicit(&c->table->needs_repair, memory_order_relaxed)) {
		map_lock_release(lock);
		return false;
	}
	return true;
}

static struct hash_lru_list *lru_list(const struct lru_ctx *c, uint32_t index)
{
	return (struct hash_lru_list *)map_at(c->map, c->lru->lists_off) + index;
}

static struct hash_lru_local *lru_local(const struct lru_ctx *c, uint32_t cpu)
{
	return (struct hash_lru_local *)map_at(c->map, c->lru->locals_off) + cpu;
}

static uint32_t lru_list_index(const struct lru_ctx *c, const struct hash_lru_list *l)
{
	return (uint32_t)(l - lru_list(c, 0));
}

/* Head ids. */
static uint32_t lru_head(const struct lru_ctx *c, const struct hash_lru_list *l, uint32_t type)
{
	return c->table->nr_elems + lru_list_index(c, l) * 3 + type;
}

static uint32_t lru_local_head(const struct lru_ctx *c, uint32_t cpu, uint32_t type)
{
	return c->table->nr_elems + c->lru->nr_lists * 3 + cpu * 2 +
	       (type == HASH_LRU_LOCAL_PENDING);
}

static bool lru_is_elem(const struct lru_ctx *c, uint32_t id)
{
	return id < c->table->nr_elems;
}

static struct hash_elem *lru_elem(const struct lru_ctx *c, uint32_t id)
{
	return hash_elem_at(c->map, c->table, id);
}

static uint32_t lru_id(const struct lru_ctx *c, const struct hash_elem *elem)
{
	return hash_elem_index(c->map, c->table, elem);
}

static struct hash_lru_link *lru_link(const struct lru_ctx *c, uint32_t id)
{
	if (lru_is_elem(c, id))
		return &lru_elem(c, id)->lru.link;
	return &c->heads[id - c->table->nr_elems];
}

/* ---- The kernel's list_head operations, by id ----------------------- */

static void lru_list_init(const struct lru_ctx *c, uint32_t head)
{
	lru_link(c, head)->prev = lru_link(c, head)->next = head;
}

static bool lru_list_empty(const struct lru_ctx *c, uint32_t head)
{
	return lru_link(c, head)->next == head;
}

static void lru_list_del(const struct lru_ctx *c, uint32_t id)
{
	struct hash_lru_link *entry = lru_link(c, id);

	lru_link(c, entry->prev)->next = entry->next;
	lru_link(c, entry->next)->prev = entry->prev;
}

/* Inserts id right after head: the front of the list. */
static void lru_list_add(const struct lru_ctx *c, uint32_t id, uint32_t head)
{
	struct hash_lru_link *entry = lru_link(c, id), *h = lru_link(c, head);
	uint32_t first = h->next;

	entry->prev = head;
	entry->next = first;
	lru_link(c, first)->prev = id;
	h->next = id;
}

static void lru_list_move(const struct lru_ctx *c, uint32_t id, uint32_t head)
{
	lru_list_del(c, id);
	lru_list_add(c, id, head);
}

/* ---- Node state ------------------------------------------------------ */

/* Which list a node is on. Changed only under the list's lock, but read without
 * it by hash_lru_push's guard against pushing a free node twice, while a
 * rotation moves the node between ACTIVE and INACTIVE (never to FREE): relaxed
 * atomics make that read defined without costing the locked paths a fence. */
static uint32_t lru_type(const struct hash_elem *elem)
{
	return atomic_load_explicit(&elem->lru.type, memory_order_relaxed);
}

static void lru_set_type(struct hash_elem *elem, uint32_t type)
{
	atomic_store_explicit(&elem->lru.type, (uint8_t)type, memory_order_relaxed);
}

static bool lru_is_ref(const struct hash_elem *elem)
{
	return atomic_load_explicit(&elem->lru.ref, memory_order_relaxed);
}

static void lru_clear_ref(struct hash_elem *elem)
{
	atomic_store_explicit(&elem->lru.ref, 0, memory_order_relaxed);
}

static void lru_count_inc(struct hash_lru_list *l, uint32_t type)
{
	if (type < 2)
		l->counts[type]++;
}

static void lru_count_dec(struct hash_lru_list *l, uint32_t type)
{
	if (type < 2)
		l->counts[type]--;
}

/* Keeps the rotation cursor off a node that leaves its place. */
static void lru_step_cursor(const struct lru_ctx *c, struct hash_lru_list *l, uint32_t id)
{
	if (l->next_inactive_rotation == id)
		l->next_inactive_rotation = lru_link(c, id)->prev;
}

static void lru_move_to_free(const struct lru_ctx *c, struct hash_lru_list *l, uint32_t id,
			     uint32_t free_head, uint32_t free_type)
{
	struct hash_elem *elem = lru_elem(c, id);

	lru_step_cursor(c, l, id);
	lru_count_dec(l, lru_type(elem));
	lru_set_type(elem, free_type);
	lru_list_move(c, id, free_head);
}

/* From a local list into the LRU list. */
static void lru_move_in(const struct lru_ctx *c, struct hash_lru_list *l, uint32_t id,
			uint32_t type)
{
	struct hash_elem *elem = lru_elem(c, id);

	lru_count_inc(l, type);
	lru_set_type(elem, type);
	lru_clear_ref(elem);
	lru_list_move(c, id, lru_head(c, l, type));
}

/* Within or between ACTIVE, INACTIVE and FREE of one list. */
static void lru_move(const struct lru_ctx *c, struct hash_lru_list *l, uint32_t id, uint32_t type)
{
	struct hash_elem *elem = lru_elem(c, id);

	if (lru_type(elem) != type) {
		lru_count_dec(l, lru_type(elem));
		lru_count_inc(l, type);
		lru_set_type(elem, type);
	}
	lru_clear_ref(elem);
	lru_step_cursor(c, l, id);
	lru_list_move(c, id, lru_head(c, l, type));
}

/* ---- Rotation and shrinking (the global or a per-CPU list) ------------ */

static void lru_rotate_active(const struct lru_ctx *c, struct hash_lru_list *l)
{
	uint32_t active = lru_head(c, l, HASH_LRU_ACTIVE);
	uint32_t first = lru_link(c, active)->next, id = lru_link(c, active)->prev;
	uint32_t scanned = 0;

	while (lru_is_elem(c, id)) {
		uint32_t prev = lru_link(c, id)->prev;

		lru_move(c, l, id, lru_is_ref(lru_elem(c, id)) ? HASH_LRU_ACTIVE : HASH_LRU_INACTIVE);
		if (++scanned == c->lru->nr_scans || id == first)
			break;
		id = prev;
	}
}

static void lru_rotate_inactive(const struct lru_ctx *c, struct hash_lru_list *l)
{
	uint32_t inactive = lru_head(c, l, HASH_LRU_INACTIVE);
	uint32_t cur, last, next = inactive, scanned = 0;

	if (lru_list_empty(c, inactive))
		return;
	last = lru_link(c, l->next_inactive_rotation)->next;
	if (last == inactive)
		last = lru_link(c, last)->next;
	cur = l->next_inactive_rotation;
	for (uint32_t steps = 0; scanned < c->lru->nr_scans && steps < 2 * c->max_steps; steps++) {
		if (!lru_is_elem(c, cur) && cur != inactive)
			break;
		if (cur == inactive) {
			cur = lru_link(c, cur)->prev;
			continue;
		}
		next = lru_link(c, cur)->prev;
		if (lru_is_ref(lru_elem(c, cur)))
			lru_move(c, l, cur, HASH_LRU_ACTIVE);
		if (cur == last)
			break;
		cur = next;
		scanned++;
	}
	l->next_inactive_rotation = next;
}

static void lru_rotate(const struct lru_ctx *c, struct hash_lru_list *l)
{
	if (l->counts[HASH_LRU_INACTIVE] < l->counts[HASH_LRU_ACTIVE])
		lru_rotate_active(c, l);
	lru_rotate_inactive(c, l);
}

static bool lru_evict(const struct lru_ctx *c, uint32_t id)
{
	return hash_unlink_for_eviction(c->map, lru_elem(c, id), c->held);
}

static uint32_t lru_shrink_inactive(const struct lru_ctx *c, struct hash_lru_list *l,
				    uint32_t target, uint32_t free_head, uint32_t free_type)
{
	uint32_t inactive = lru_head(c, l, HASH_LRU_INACTIVE);
	uint32_t id = lru_link(c, inactive)->prev, shrunk = 0, scanned = 0;

	while (id != inactive && lru_is_elem(c, id)) {
		uint32_t prev = lru_link(c, id)->prev;

		if (lru_is_ref(lru_elem(c, id))) {
			lru_move(c, l, id, HASH_LRU_ACTIVE);
		} else if (lru_evict(c, id)) {
			lru_move_to_free(c, l, id, free_head, free_type);
			if (++shrunk == target)
				break;
		}
		if (++scanned == c->lru->nr_scans)
			break;
		id = prev;
	}
	return shrunk;
}

/* Shrinks INACTIVE; if that freed nothing, evicts one element from the
 * tail of INACTIVE (else ACTIVE) whatever its ref bit. */
static uint32_t lru_shrink(const struct lru_ctx *c, struct hash_lru_list *l, uint32_t target,
			   uint32_t free_head, uint32_t free_type)
{
	uint32_t shrunk = lru_shrink_inactive(c, l, target, free_head, free_type);
	uint32_t victims, id, steps = 0;

	if (shrunk)
		return shrunk;
	victims = lru_head(c, l, HASH_LRU_INACTIVE);
	if (lru_list_empty(c, victims))
		victims = lru_head(c, l, HASH_LRU_ACTIVE);
	for (id = lru_link(c, victims)->prev; lru_is_elem(c, id) && steps++ < c->max_steps;) {
		uint32_t prev = lru_link(c, id)->prev;

		if (lru_evict(c, id)) {
			lru_move_to_free(c, l, id, free_head, free_type);
			return 1;
		}
		id = prev;
	}
	return 0;
}

/* ---- Common LRU: local lists ------------------------------------------ */

static void lru_local_flush(const struct lru_ctx *c, struct hash_lru_list *l, uint32_t cpu)
{
	uint32_t pending = lru_local_head(c, cpu, HASH_LRU_LOCAL_PENDING);
	uint32_t id = lru_link(c, pending)->prev, steps = 0;

	while (lru_is_elem(c, id) && steps++ < c->max_steps) {
		uint32_t prev = lru_link(c, id)->prev;

		lru_move_in(c, l, id,
			    lru_is_ref(lru_elem(c, id)) ? HASH_LRU_ACTIVE : HASH_LRU_INACTIVE);
		id = prev;
	}
}

static void lru_pop_free_to_local(const struct lru_ctx *c, uint32_t cpu)
{
	struct hash_lru_list *l = lru_list(c, 0);
	uint32_t free_head = lru_head(c, l, HASH_LRU_FREE);
	uint32_t local_free = lru_local_head(c, cpu, HASH_LRU_LOCAL_FREE);
	uint32_t nfree = 0;

	if (!lru_lock(c, &l->lock))
		return;
	lru_local_flush(c, l, cpu);
	lru_rotate(c, l);
	while (nfree < c->lru->target_free && !lru_list_empty(c, free_head)) {
		lru_move_to_free(c, l, lru_link(c, free_head)->next, local_free,
				 HASH_LRU_LOCAL_FREE);
		nfree++;
	}
	if (nfree < c->lru->target_free)
		lru_shrink(c, l, c->lru->target_free - nfree, local_free, HASH_LRU_LOCAL_FREE);
	map_lock_release(&l->lock);
}

static void lru_local_add_pending(const struct lru_ctx *c, uint32_t cpu, uint32_t id,
				  uint32_t hash)
{
	struct hash_elem *elem = lru_elem(c, id);

	elem->hash = hash;
	elem->lru.cpu = cpu;
	lru_set_type(elem, HASH_LRU_LOCAL_PENDING);
	lru_clear_ref(elem);
	lru_list_add(c, id, lru_local_head(c, cpu, HASH_LRU_LOCAL_PENDING));
}

/* Returns an element id, or UINT32_MAX. */
static uint32_t lru_local_pop_free(const struct lru_ctx *c, uint32_t cpu)
{
	uint32_t head = lru_local_head(c, cpu, HASH_LRU_LOCAL_FREE), id;

	if (lru_list_empty(c, head))
		return UINT32_MAX;
	id = lru_link(c, head)->next;
	lru_list_del(c, id);
	return id;
}

/* The oldest pending element that can be evicted, preferring
 * unreferenced ones. */
static uint32_t lru_local_pop_pending(const struct lru_ctx *c, uint32_t cpu)
{
	uint32_t pending = lru_local_head(c, cpu, HASH_LRU_LOCAL_PENDING);

	for (int force = 0; force <= 1; force++) {
		uint32_t steps = 0;

		for (uint32_t id = lru_link(c, pending)->prev;
		     lru_is_elem(c, id) && steps++ < c->max_steps; id = lru_link(c, id)->prev) {
			if ((force || !lru_is_ref(lru_elem(c, id))) && lru_evict(c, id)) {
				lru_list_del(c, id);
				return id;
			}
		}
	}
	return UINT32_MAX;
}

static uint32_t lru_steal(const struct lru_ctx *c, uint32_t cpu)
{
	struct hash_lru_local *local = lru_local(c, cpu);
	uint32_t first = local->next_steal, steal = first, id = UINT32_MAX;

	do {
		struct hash_lru_local *victim = lru_local(c, steal);

		if (lru_lock(c, &victim->lock)) {
			id = lru_local_pop_free(c, steal);
			if (id == UINT32_MAX)
				id = lru_local_pop_pending(c, steal);
			map_lock_release(&victim->lock);
		}
		steal = (steal + 1) % c->nr_cpus;
	} while (id == UINT32_MAX && steal != first);
	local->next_steal = steal;
	return id;
}

static struct hash_elem *lru_common_pop(const struct lru_ctx *c, uint32_t hash, uint32_t cpu)
{
	struct hash_lru_local *local = lru_local(c, cpu);
	uint32_t id;

	if (!lru_lock(c, &local->lock))
		return NULL;
	id = lru_local_pop_free(c, cpu);
	if (id == UINT32_MAX) {
		lru_pop_free_to_local(c, cpu);
		id = lru_local_pop_free(c, cpu);
	}
	if (id != UINT32_MAX)
		lru_local_add_pending(c, cpu, id, hash);
	map_lock_release(&local->lock);
	if (id != UINT32_MAX)
		return lru_elem(c, id);
	id = lru_steal(c, cpu);
	/* A lock that cannot be taken leaves the stolen element on no list
	 * and in no chain: the repair that follows frees it. */
	if (id == UINT32_MAX || !lru_lock(c, &local->lock))
		return NULL;
	lru_local_add_pending(c, cpu, id, hash);
	map_lock_release(&local->lock);
	return lru_elem(c, id);
}

static void lru_common_push(const struct lru_ctx *c, struct hash_elem *elem)
{
	uint32_t id = lru_id(c, elem);
	struct hash_lru_list *l = lru_list(c, 0);

	if (lru_type(elem) == HASH_LRU_LOCAL_PENDING) {
		struct hash_lru_local *local = lru_local(c, elem->lru.cpu);
		uint32_t cpu = elem->lru.cpu;

		if (!lru_lock(c, &local->lock))
			return;
		/* Flushed to the global list meanwhile? Then free it there. */
		if (lru_type(elem) == HASH_LRU_LOCAL_PENDING) {
			lru_set_type(elem, HASH_LRU_LOCAL_FREE);
			lru_clear_ref(elem);
			lru_list_move(c, id, lru_local_head(c, cpu, HASH_LRU_LOCAL_FREE));
			map_lock_release(&local->lock);
			return;
		}
		map_lock_release(&local->lock);
	}
	if (!lru_lock(c, &l->lock))
		return;
	lru_move(c, l, id, HASH_LRU_FREE);
	map_lock_release(&l->lock);
}

/* ---- Per-CPU LRU ------------------------------------------------------- */

static struct hash_elem *lru_percpu_pop(const struct lru_ctx *c, uint32_t hash, uint32_t cpu)
{
	struct hash_lru_list *l = lru_list(c, cpu);
	uint32_t free_head = lru_head(c, l, HASH_LRU_FREE);
	struct hash_elem *elem = NULL;

	if (!lru_lock(c, &l->lock))
		return NULL;
	lru_rotate(c, l);
	if (lru_list_empty(c, free_head))
		lru_shrink(c, l, HASH_LRU_PERCPU_FREE_TARGET, free_head, HASH_LRU_FREE);
	if (!lru_list_empty(c, free_head)) {
		uint32_t id = lru_link(c, free_head)->next;

		elem = lru_elem(c, id);
		elem->hash = hash;
		lru_clear_ref(elem);
		lru_move(c, l, id, HASH_LRU_INACTIVE);
	}
	map_lock_release(&l->lock);
	return elem;
}

static void lru_percpu_push(const struct lru_ctx *c, struct hash_elem *elem)
{
	struct hash_lru_list *l = lru_list(c, elem->lru.cpu);

	if (!lru_lock(c, &l->lock))
		return;
	lru_move(c, l, lru_id(c, elem), HASH_LRU_FREE);
	map_lock_release(&l->lock);
}

/* ---- Entry points ------------------------------------------------------ */

struct hash_elem *hash_lru_pop(struct bpfvm_map *map, uint32_t hash, uint32_t cpu,
			       struct hash_bucket *held)
{
	struct lru_ctx c = lru_ctx(map);

	c.held = held;
	if (cpu >= c.nr_cpus)
		cpu %= c.nr_cpus;
	return c.lru->percpu ? lru_percpu_pop(&c, hash, cpu) : lru_common_pop(&c, hash, cpu);
}

void hash_lru_push(struct bpfvm_map *map, struct hash_elem *elem)
{
	struct lru_ctx c = lru_ctx(map);

	if (lru_type(elem) == HASH_LRU_FREE || lru_type(elem) == HASH_LRU_LOCAL_FREE)
		return; /* already free: a bug, but never corrupt the lists */
	if (c.lru->percpu)
		lru_percpu_push(&c, elem);
	else
		lru_common_push(&c, elem);
}

static int lru_init_list(const struct lru_ctx *c, struct hash_lru_list *l)
{
	for (uint32_t type = 0; type < 3; type++)
		lru_list_init(c, lru_head(c, l, type));
	l->counts[0] = l->counts[1] = 0;
	l->next_inactive_rotation = lru_head(c, l, HASH_LRU_INACTIVE);
	return map_lock_init(&l->lock);
}

static void lru_add_free(const struct lru_ctx *c, struct hash_lru_list *l, uint32_t id,
			 uint32_t cpu)
{
	struct hash_elem *elem = lru_elem(c, id);

	elem->lru.cpu = cpu;
	lru_set_type(elem, HASH_LRU_FREE);
	lru_clear_ref(elem);
	lru_list_add(c, id, lru_head(c, l, HASH_LRU_FREE));
}

/* The kernel's bpf_lru_populate: all elements on the global free list, or
 * max_entries / nr_cpus on each CPU's. */
static void lru_populate(const struct lru_ctx *c)
{
	uint32_t nr_elems = c->table->nr_elems, per_cpu, id = 0;

	if (!c->lru->percpu) {
		for (id = 0; id < nr_elems; id++)
			lru_add_free(c, lru_list(c, 0), id, 0);
		return;
	}
	per_cpu = nr_elems / c->nr_cpus;
	for (uint32_t cpu = 0; cpu < c->nr_cpus && id < nr_elems; cpu++)
		for (uint32_t i = 0; i < per_cpu && id < nr_elems; i++)
			lru_add_free(c, lru_list(c, cpu), id++, cpu);
}

static uint32_t lru_clamp(uint32_t value, uint32_t low, uint32_t high)
{
	return value < low ? low : value > high ? high : value;
}

int hash_lru_init(struct bpfvm_map *map)
{
	struct hash_table *table = hash_table(map);
	struct hash_lru *lru = map_at(map, table->lru_off);
	uint32_t nr_cpus = map_nr_cpus(map), locals;
	struct lru_ctx c;
	int err = 0;

	lru->percpu = (map_flags(map) & BPF_F_NO_COMMON_LRU) != 0;
	lru->nr_lists = lru->percpu ? nr_cpus : 1;
	locals = lru->percpu ? 0 : nr_cpus;
	lru->nr_scans = lru->percpu ? HASH_LRU_PERCPU_NR_SCANS : HASH_LRU_LOCAL_NR_SCANS;
	lru->target_free = lru_clamp(table->nr_elems / nr_cpus / 2, 1, HASH_LRU_LOCAL_FREE_TARGET);
	lru->lists_off = table->lru_off + lru_round_up(sizeof(*lru));
	lru->locals_off = lru->lists_off + lru_round_up(lru->nr_lists * sizeof(struct hash_lru_list));
	lru->heads_off = lru->locals_off + lru_round_up(locals * sizeof(struct hash_lru_local));
	c = lru_ctx(map);
	for (uint32_t i = 0; i < lru->nr_lists && !err; i++)
		err = lru_init_list(&c, lru_list(&c, i));
	for (uint32_t cpu = 0; cpu < locals && !err; cpu++) {
		lru_list_init(&c, lru_local_head(&c, cpu, HASH_LRU_LOCAL_FREE));
		lru_list_init(&c, lru_local_head(&c, cpu, HASH_LRU_LOCAL_PENDING));
		lru_local(&c, cpu)->next_steal = cpu;
		err = map_lock_init(&lru_local(&c, cpu)->lock);
	}
	if (err) {
		vm_error("map '%.16s': cannot initialise LRU locks", map->region->name);
		return err;
	}
	lru_populate(&c);
	return 0;
}

/* ---- After a writer died (hash.c: hash_repair) ------------------------ */

static uint32_t lru_nr_heads(const struct hash_lru *lru, uint32_t nr_cpus)
{
	return lru->nr_lists * 3 + (lru->percpu ? 0 : nr_cpus * 2);
}

/* The list an element of a per-CPU LRU belongs to for good, as
 * lru_populate gave it; the common LRU's one list otherwise. */
static struct hash_lru_list *lru_home(const struct lru_ctx *c, uint32_t id)
{
	uint32_t per_cpu = c->table->nr_elems / c->nr_cpus, cpu;

	if (!c->lru->percpu)
		return lru_list(c, 0);
	cpu = per_cpu ? id / per_cpu : 0;
	return lru_list(c, cpu < c->nr_cpus ? cpu : c->nr_cpus - 1);
}

static void lru_lock_all(const struct lru_ctx *c, bool lock)
{
	uint32_t locals = c->lru->percpu ? 0 : c->nr_cpus;

	for (uint32_t i = 0; i < locals; i++) {
		if (lock)
			map_lock_acquire(&lru_local(c, i)->lock); /* a dead holder's too */
		else
			map_lock_release(&lru_local(c, i)->lock);
	}
	for (uint32_t i = 0; i < c->lru->nr_lists; i++) {
		if (lock)
			map_lock_acquire(&lru_list(c, i)->lock);
		else
			map_lock_release(&lru_list(c, i)->lock);
	}
}

/* Whether a chained element walked to from `head` belongs there: its type
 * is the head's and it is of the head's list (its home list, or for a
 * pending list that CPU's). */
static bool lru_belongs(const struct lru_ctx *c, uint32_t id, uint32_t head, uint32_t type,
			uint32_t owner)
{
	struct hash_elem *elem = lru_elem(c, id);

	if (atomic_load_explicit(&elem->free_next, memory_order_relaxed) != HASH_LINKED ||
	    lru_type(elem) != type)
		return false;
	if (type == HASH_LRU_LOCAL_PENDING)
		return elem->lru.cpu == owner;
	return lru_home(c, id) == lru_list(c, owner);
}

/* Walks the old list of `head` by its next links (which may be broken),
 * taking the chained elements that belong there, in order, once each: they
 * are chained backwards through their prev links from head->prev. Only
 * prev links are written, so other lists' walks still see the old next
 * links. */
static void lru_collect(const struct lru_ctx *c, uint32_t head, uint32_t type, uint32_t owner)
{
	uint32_t tail = head, id = lru_link(c, head)->next;

	for (uint32_t steps = 0; lru_is_elem(c, id) && steps < c->max_steps; steps++) {
		uint32_t next = lru_link(c, id)->next;

		if (lru_belongs(c, id, head, type, owner)) {
			atomic_store_explicit(&lru_elem(c, id)->free_next, HASH_LRU_PLACED,
					      memory_order_relaxed);
			lru_link(c, id)->prev = tail;
			tail = id;
		}
		id = next;
	}
	lru_link(c, head)->prev = tail;
}

/* Turns what lru_collect chained backwards into a whole list; returns its
 * length. */
static uint32_t lru_relink(const struct lru_ctx *c, uint32_t head)
{
	uint32_t next = head, id = lru_link(c, head)->prev, prev = head, len = 0;

	while (id != head) {
		uint32_t before = lru_link(c, id)->prev;

		lru_link(c, id)->next = next;
		next = id;
		id = before;
	}
	lru_link(c, head)->next = next;
	for (id = next; id != head; id = lru_link(c, id)->next, len++) {
		lru_link(c, id)->prev = prev;
		prev = id;
	}
	lru_link(c, head)->prev = prev;
	return len;
}

/* The chained elements that no list walk found go to the front of their
 * home list's INACTIVE, the others to its FREE list. */
static void lru_place_rest(const struct lru_ctx *c)
{
	for (uint32_t id = 0; id < c->table->nr_elems; id++) {
		struct hash_elem *elem = lru_elem(c, id);
		struct hash_lru_list *l = lru_home(c, id);
		uint32_t mark = atomic_load_explicit(&elem->free_next, memory_order_relaxed);

		atomic_store_explicit(&elem->free_next, 0, memory_order_relaxed);
		if (c->lru->percpu)
			elem->lru.cpu = lru_list_index(c, l);
		if (mark == HASH_LRU_PLACED)
			continue;
		lru_set_type(elem, mark == HASH_LINKED ? HASH_LRU_INACTIVE : HASH_LRU_FREE);
		lru_clear_ref(elem);
		lru_count_inc(l, lru_type(elem));
		lru_list_add(c, id, lru_head(c, l, lru_type(elem)));
	}
}

void hash_lru_rebuild(struct bpfvm_map *map)
{
	struct lru_ctx c = lru_ctx(map);
	uint32_t locals = c.lru->percpu ? 0 : c.nr_cpus;

	lru_lock_all(&c, true);
	for (uint32_t i = 0; i < c.lru->nr_lists; i++)
		for (uint32_t type = HASH_LRU_ACTIVE; type <= HASH_LRU_INACTIVE; type++)
			lru_collect(&c, lru_head(&c, lru_list(&c, i), type), type, i);
	for (uint32_t cpu = 0; cpu < locals; cpu++)
		lru_collect(&c, lru_local_head(&c, cpu, HASH_LRU_LOCAL_PENDING),
			    HASH_LRU_LOCAL_PENDING, cpu);
	for (uint32_t i = 0; i < c.lru->nr_lists; i++) {
		struct hash_lru_list *l = lru_list(&c, i);

		for (uint32_t type = HASH_LRU_ACTIVE; type <= HASH_LRU_INACTIVE; type++)
			l->counts[type] = lru_relink(&c, lru_head(&c, l, type));
		lru_list_init(&c, lru_head(&c, l, HASH_LRU_FREE));
		l->next_inactive_rotation = lru_head(&c, l, HASH_LRU_INACTIVE);
	}
	for (uint32_t cpu = 0; cpu < locals; cpu++) {
		lru_relink(&c, lru_local_head(&c, cpu, HASH_LRU_LOCAL_PENDING));
		lru_list_init(&c, lru_local_head(&c, cpu, HASH_LRU_LOCAL_FREE));
		if (lru_local(&c, cpu)->next_steal >= c.nr_cpus)
			lru_local(&c, cpu)->next_steal = cpu;
	}
	lru_place_rest(&c);
	lru_lock_all(&c, false);
}

/* ---- A census for tests ------------------------------------------------ */

/* -EAGAIN (marked for repair) when `lock`'s holder died, -EBUSY when held. */
static int lru_census_try(const struct lru_ctx *c, struct map_lock *lock)
{
	int rc = map_lock_try(lock);

	if (rc < 0)
		return -EBUSY;
	if (rc == MAP_LOCK_RECOVERED)
		atomic_store(&c->table->needs_repair, 1);
	map_lock_release(lock);
	return rc == MAP_LOCK_RECOVERED ? -EAGAIN : 0;
}

static int lru_census_locks(const struct lru_ctx *c)
{
	uint32_t locals = c->lru->percpu ? 0 : c->nr_cpus;
	int err = 0, rc;

	for (uint32_t i = 0; i < c->table->n_buckets; i++) {
		struct hash_bucket *b = (struct hash_bucket *)map_at(c->map, c->table->buckets_off) + i;

		if ((rc = lru_census_try(c, &b->lock)) && !err)
			err = rc;
	}
	for (uint32_t i = 0; i < c->lru->nr_lists; i++)
		if ((rc = lru_census_try(c, &lru_list(c, i)->lock)) && !err)
			err = rc;
	for (uint32_t i = 0; i < locals; i++)
		if ((rc = lru_census_try(c, &lru_local(c, i)->lock)) && !err)
			err = rc;
	if (!err && atomic_load(&c->table->needs_repair))
		err = -EAGAIN;
	return err;
}

/* Walks one list; returns its length, or UINT32_MAX when it is broken. */
static uint32_t lru_census_list(const struct lru_ctx *c, uint32_t head, uint32_t type,
				uint8_t *seen)
{
	uint32_t prev = head, id = lru_link(c, head)->next, len = 0;

	for (; id != head; prev = id, id = lru_link(c, id)->next, len++) {
		if (!lru_is_elem(c, id) || seen[id] || len >= c->max_steps ||
		    lru_link(c, id)->prev != prev || lru_type(lru_elem(c, id)) != type)
			return UINT32_MAX;
		seen[id] = 1;
	}
	return lru_link(c, head)->prev == prev ? len : UINT32_MAX;
}

static int lru_census_count(const struct lru_ctx *c, uint32_t head, uint32_t type, uint8_t *seen,
			    uint32_t *count)
{
	uint32_t len = lru_census_list(c, head, type, seen);

	if (len == UINT32_MAX)
		return -EINVAL;
	*count += len;
	return 0;
}

int hash_lru_census(struct bpfvm_map *map, uint32_t *in_use, uint32_t *nfree)
{
	struct lru_ctx c = lru_ctx(map);
	uint32_t locals = c.lru->percpu ? 0 : c.nr_cpus;
	uint8_t *seen;
	int err = lru_census_locks(&c);

	*in_use = *nfree = 0;
	if (err)
		return err;
	seen = calloc(c.table->nr_elems, 1);
	if (!seen)
		return -ENOMEM;
	for (uint32_t i = 0; i < c.lru->nr_lists && !err; i++) {
		struct hash_lru_list *l = lru_list(&c, i);

		for (uint32_t type = HASH_LRU_ACTIVE; type <= HASH_LRU_FREE && !err; type++)
			err = lru_census_count(&c, lru_head(&c, l, type), type, seen,
					       type == HASH_LRU_FREE ? nfree : in_use);
	}
	for (uint32_t cpu = 0; cpu < locals && !err; cpu++) {
		err = lru_census_count(&c, lru_local_head(&c, cpu, HASH_LRU_LOCAL_FREE),
				       HASH_LRU_LOCAL_FREE, seen, nfree);
		if (!err)
			err = lru_census_count(&c, lru_local_head(&c, cpu, HASH_LRU_LOCAL_PENDING),
					       HASH_LRU_LOCAL_PENDING, seen, in_use);
	}
	if (!err && *in_use + *nfree != c.table->nr_elems)
		err = -EINVAL; /* an element on no list */
	free(seen);
	return err;
}

/* ---- A region from a file (hash.c: hash_check_region) ----------------- */

static bool lru_link_valid(const struct hash_lru_link *link, uint32_t nr_ids)
{
	return link->prev < nr_ids && link->next < nr_ids;
}

bool hash_lru_region_valid(const struct map_region *region, const struct hash_table *table)
{
	const uint8_t *base = (const uint8_t *)region;
	const struct hash_lru *lru = (const void *)(base + table->lru_off);
	bool percpu = (region->map_flags & BPF_F_NO_COMMON_LRU) != 0;
	uint32_t nr_cpus = region->nr_cpus ? region->nr_cpus : 1;
	uint32_t nr_lists = percpu ? nr_cpus : 1, locals = percpu ? 0 : nr_cpus;
	uint64_t lists_off = table->lru_off + lru_round_up(sizeof(*lru));
	uint64_t locals_off = lists_off + lru_round_up(nr_lists * sizeof(struct hash_lru_list));
	uint64_t heads_off = locals_off + lru_round_up(locals * sizeof(struct hash_lru_local));
	uint32_t nr_ids;
	const struct hash_lru_link *heads = (const void *)(base + heads_off);

	if (lru->percpu != percpu || lru->nr_lists != nr_lists ||
	    lru->nr_scans != (percpu ? HASH_LRU_PERCPU_NR_SCANS : HASH_LRU_LOCAL_NR_SCANS) ||
	    lru->target_free != lru_clamp(table->nr_elems / nr_cpus / 2, 1,
					  HASH_LRU_LOCAL_FREE_TARGET) ||
	    lru->lists_off != lists_off || lru->locals_off != locals_off ||
	    lru->heads_off != heads_off)
		return false;
	nr_ids = table->nr_elems + lru_nr_heads(lru, nr_cpus);
	for (uint32_t h = 0; h < nr_ids - table->nr_elems; h++)
		if (!lru_link_valid(&heads[h], nr_ids))
			return false;
	for (uint32_t i = 0; i < nr_lists; i++) {
		const struct hash_lru_list *l = (const void *)(base + lists_off);

		if (l[i].next_inactive_rotation >= nr_ids)
			return false;
	}
	for (uint32_t cpu = 0; cpu < locals; cpu++)
		if (((const struct hash_lru_local *)(base + locals_off))[cpu].next_steal >= nr_cpus)
			return false;
	for (uint32_t i = 0; i < table->nr_elems; i++) {
		const struct hash_elem *elem =
			(const void *)(base + table->elems_off + (uint64_t)i * table->elem_size);

		if (!lru_link_valid(&elem->lru.link, nr_ids) || elem->lru.cpu >= nr_cpus ||
		    lru_type(elem) > HASH_LRU_LOCAL_PENDING)
			return false;
	}
	return true;
}
