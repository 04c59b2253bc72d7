/* The inner-map template of maps of maps, and what a shared outer map
 * keeps in each process (see map_in_map.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/runtime.h"
#include "engine/vcpu.h"
#include "maps/map_in_map.h"
#include "ns/ns.h"
#include "ns/ns_hold.h"
#include "ns/ns_map.h"

static bool map_in_map_is_outer_type(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

int map_in_map_check_template(const struct map_attr *attr)
{
	const struct bpfvm_map *inner = attr->inner_map;

	if (!inner) {
		vm_error("map '%.16s': a map of maps needs an inner map as its template",
			 attr->name);
		return -EINVAL;
	}
	if (map_in_map_is_outer_type(map_type(inner))) {
		vm_error("map '%.16s': the inner map '%.16s' is itself a map of maps (one level "
			 "only)", attr->name, inner->region->name);
		return -EINVAL;
	}
	/* The kernel's map types without map_meta_equal; of bpfvm's, only
	 * PROG_ARRAY (its owner rule cannot follow it into maps of maps). */
	if (map_type(inner) == BPF_MAP_TYPE_PROG_ARRAY) {
		vm_error("map '%.16s': a prog array cannot be an inner map", attr->name);
		return -MAP_ENOTSUPP;
	}
	return 0;
}

/* The kernel's map_meta_equal for the template's type: ARRAY's
 * array_map_meta_equal compares max_entries unless the template has
 * BPF_F_INNER_MAP; bpf_map_meta_equal (every other type, PERCPU_ARRAY
 * included: observed on Linux 6.18) does not. */
static const char *map_in_map_mismatch(const struct map_region *template,
				       const struct map_region *inner)
{
	bool array_rule = template->inner_type == BPF_MAP_TYPE_ARRAY;

	if (inner->type != template->inner_type)
		return "type";
	if (inner->key_size != template->inner_key_size)
		return "key_size";
	if (inner->value_size != template->inner_value_size)
		return "value_size";
	if (inner->map_flags != template->inner_map_flags)
		return "map_flags";
	/* btf_record_equal: the same special fields at the same places. */
	if (inner->spin_lock_off != template->inner_spin_lock_off)
		return "bpf_spin_lock";
	if (array_rule && !(template->inner_map_flags & BPF_F_INNER_MAP) &&
	    inner->max_entries != template->inner_max_entries)
		return "max_entries";
	return NULL;
}

const struct bpfvm_map *map_in_map_template_stub(const struct map_region *region,
						 struct map_region *stub_region,
						 struct bpfvm_map *stub)
{
	if (!map_in_map_is_outer_type(region->type))
		return NULL;
	memset(stub_region, 0, sizeof(*stub_region));
	memset(stub, 0, sizeof(*stub));
	stub_region->type = region->inner_type;
	memcpy(stub_region->name, "template", sizeof("template"));
	stub->region = stub_region;
	return stub;
}

/* A shared outer names maps of the namespace: this process's handle of
 * `id`, or the map opened by id; a map private to a process cannot be
 * named by other processes' slots. */
static int map_in_map_get_shared(struct bpfvm_map *outer, uint32_t id, struct bpfvm_map **inner)
{
	int err = ns_map_get_for_prog(outer->vm, id, inner);

	if (err == -ENOENT) {
		vm_error("map '%.16s': no map with id %u", outer->region->name, id);
		return -EBADF;
	}
	if (err)
		return err;
	if (!(*inner)->shared) {
		vm_error("map '%.16s': map '%.16s' (id %u) is private to this process: a shared "
			 "map of maps can only name shared maps", outer->region->name,
			 (*inner)->region->name, id);
		map_put(*inner);
		return -EOPNOTSUPP;
	}
	return 0;
}

int map_in_map_get_inner(struct bpfvm_map *outer, uint32_t id, struct bpfvm_map **inner_out)
{
	struct bpfvm_map *inner;
	const char *mismatch;

	if (outer->shared) {
		int err = map_in_map_get_shared(outer, id, &inner);

		if (err)
			return err;
	} else {
		inner = id_table_find(&outer->vm->map_ids, id);
		if (!inner) {
			vm_error("map '%.16s': no map with id %u", outer->region->name, id);
			return -EBADF;
		}
		map_get(inner);
	}
	mismatch = map_in_map_mismatch(outer->region, inner->region);
	if (mismatch) {
		vm_error("map '%.16s': map '%.16s' (id %u) does not match the inner map template: "
			 "%s differs", outer->region->name, inner->region->name, id, mismatch);
		map_put(inner);
		return -EINVAL;
	}
	*inner_out = inner;
	return 0;
}

void map_in_map_put_inner(void *inner)
{
	map_put(inner);
}

/* ---- Shared outer maps (map_in_map.h) ------------------------------------ */

size_t map_in_map_region_size(size_t family_size)
{
	if (!family_size || family_size > SIZE_MAX / 2)
		return 0;
	return (family_size + 63) / 64 * 64 + sizeof(struct map_in_map_shared);
}

static struct map_in_map_shared *map_in_map_shared_of(const struct bpfvm_map *outer)
{
	return map_at(outer, outer->region->size - sizeof(struct map_in_map_shared));
}

int map_in_map_init(struct bpfvm_map *outer)
{
	const struct map_ops *inner_ops = map_ops_for_type(outer->region->inner_type);
	int err = map_lock_init(&map_in_map_shared_of(outer)->lock);

	if (err) {
		vm_error("map '%.16s': cannot initialise its lock", outer->region->name);
		return err;
	}
	if (outer->shared && (!inner_ops || inner_ops->share == MAP_SHARE_NONE)) {
		vm_error("map '%.16s': its inner maps (type %u) are private to their process in a "
			 "namespace, and a shared map of maps can only name shared maps",
			 outer->region->name, outer->region->inner_type);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* Calls fn(ctx, id) for the id in each slot of the outer, with its user
 * ops, until fn returns true; returns whether it did. Bounded: a hash that
 * other processes write may make the walk start again. -ENOMEM: -1. */
static int map_in_map_each_id(struct bpfvm_map *outer, bool (*fn)(void *ctx, uint32_t id),
			      void *ctx)
{
	uint32_t key_size = map_key_size(outer);
	uint64_t steps = 2ull * map_max_entries(outer) + 16;
	uint8_t *keys = malloc(2 * (size_t)key_size);
	void *prev = NULL, *next;
	int found = 0;

	if (!keys)
		return -1;
	next = keys;
	while (steps-- && outer->ops->get_next_key(outer, prev, next) == 0) {
		uint32_t id;

		if (outer->ops->lookup(outer, next, &id, 0) == 0 && id && fn(ctx, id)) {
			found = 1;
			break;
		}
		prev = next;
		next = next == keys ? keys + key_size : keys;
	}
	free(keys);
	return found;
}

static bool map_in_map_is_id(void *ctx, uint32_t id)
{
	return *(const uint32_t *)ctx == id;
}

/* Whether a slot names `id`; with the outer's lock held, so that no writer
 * moves the slots meanwhile. In doubt (out of memory), yes. */
static bool map_in_map_names(struct bpfvm_map *outer, uint32_t id)
{
	return map_in_map_each_id(outer, map_in_map_is_id, &id) != 0;
}

/* The outer's hold on `id` goes if no slot names it. */
static void map_in_map_let_go(struct bpfvm_map *outer, uint32_t id)
{
	char holder[32];

	if (!id || map_in_map_names(outer, id))
		return;
	ns_hold_outer_name(outer->region->id, holder, sizeof(holder));
	ns_hold_drop(outer->vm->ns, NS_KIND_MAP, id, holder);
}

/* The outer holds map `id` (ns_hold.h), before a slot names it. */
static int map_in_map_hold(struct bpfvm_map *outer, uint32_t id)
{
	char holder[32];
	int err;

	ns_hold_outer_name(outer->region->id, holder, sizeof(holder));
	err = ns_hold_take(outer->vm->ns, NS_KIND_MAP, id, holder);
	if (err)
		vm_error("map '%.16s': cannot hold map %u: %s", outer->region->name, id,
			 strerror(-err));
	return err;
}

struct map_in_map_ids {
	uint32_t *ids;
	uint32_t cnt;
	uint32_t cap;
	bool failed;
};

static bool map_in_map_ids_add(void *ctx, uint32_t id)
{
	struct map_in_map_ids *set = ctx;

	if (set->cnt == set->cap) {
		uint32_t cap = set->cap ? 2 * set->cap : 16;
		uint32_t *ids = realloc(set->ids, cap * sizeof(*ids));

		if (!ids) {
			set->failed = true;
			return true;
		}
		set->ids = ids;
		set->cap = cap;
	}
	set->ids[set->cnt++] = id;
	return false;
}

/* A writer died holding the outer's lock: between its hold and its store,
 * or between its store and letting the old map go. Either way a hold is
 * left that no slot needs; no slot lacks one (holds come first). */
static void map_in_map_repair(struct bpfvm_map *outer)
{
	struct ns_hold *holds;
	char holder[32];
	int count;

	ns_hold_outer_name(outer->region->id, holder, sizeof(holder));
	count = ns_hold_find(outer->vm->ns, NS_KIND_MAP, holder, &holds);
	for (int i = 0; i < count; i++)
		map_in_map_let_go(outer, holds[i].id);
	free(holds);
}

int map_in_map_write(struct bpfvm_map *outer, const struct map_in_map_write *write,
		     int (*apply)(struct bpfvm_map *outer, const struct map_in_map_write *write))
{
	struct map_in_map_shared *shared = map_in_map_shared_of(outer);
	struct bpfvm_map *inner = NULL;
	uint32_t old_id = 0;
	int err, locked;

	if (write->id && (err = map_in_map_get_inner(outer, write->id, &inner)))
		return err;
	locked = map_lock_acquire(&shared->lock);
	if (locked < 0) {
		vm_error("map '%.16s': cannot take its lock", outer->region->name);
		err = locked;
		goto out;
	}
	if (locked == MAP_LOCK_RECOVERED)
		map_in_map_repair(outer);
	/* The hold first: from the moment a slot names the map, another
	 * process's last close must not remove it (this process maps it
	 * now, so it cannot go before the link exists). */
	err = write->id ? map_in_map_hold(outer, write->id) : 0;
	if (!err) {
		if (outer->ops->lookup(outer, write->key, &old_id, 0))
			old_id = 0;
		err = apply(outer, write);
		if (err)
			map_in_map_let_go(outer, write->id);
		else if (old_id != write->id)
			map_in_map_let_go(outer, old_id);
		if (!err)
			atomic_fetch_add_explicit(&shared->gen, 1, memory_order_release);
	}
	map_lock_release(&shared->lock);
out:
	if (inner)
		map_in_map_put_inner(inner);
	return err;
}

/* ---- This process's handles of a shared outer's inner maps --------------- */

struct map_in_map_held_set {
	uint32_t cnt;
	struct map_in_map_held entries[]; /* sorted by id; map NULL: unusable */
};

struct map_in_map_local *map_in_map_local_new(struct bpfvm_map *outer)
{
	struct map_in_map_local *local = calloc(1, sizeof(*local));

	if (!local) {
		vm_error("map '%.16s': out of memory", outer->region->name);
		return NULL;
	}
	pthread_mutex_init(&local->lock, NULL);
	/* One less than the region's: the first lookup brings it up. */
	atomic_init(&local->seen_gen, atomic_load(&map_in_map_shared_of(outer)->gen) - 1);
	return local;
}

static void map_in_map_held_set_put(struct map_in_map_held_set *set)
{
	for (uint32_t i = 0; set && i < set->cnt; i++)
		if (set->entries[i].map)
			map_put(set->entries[i].map);
	free(set);
}

void map_in_map_local_free(struct map_in_map_local *local)
{
	if (!local)
		return;
	map_in_map_held_set_put(atomic_load(&local->held));
	pthread_mutex_destroy(&local->lock);
	free(local);
}

static int map_in_map_cmp_held(const void *a, const void *b)
{
	uint32_t x = ((const struct map_in_map_held *)a)->id;
	uint32_t y = ((const struct map_in_map_held *)b)->id;

	return x < y ? -1 : x > y;
}

static int map_in_map_cmp_id(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static struct map_in_map_held *map_in_map_held_find(struct map_in_map_held_set *set, uint32_t id)
{
	struct map_in_map_held key = { .id = id };

	if (!set)
		return NULL;
	return bsearch(&key, set->entries, set->cnt, sizeof(key), map_in_map_cmp_held);
}

/* This process's handle of `id`, taken from the old set or opened; NULL if
 * it cannot be used (gone, or not a map the template allows: the file was
 * written by another process, so it is checked again here). */
static struct bpfvm_map *map_in_map_held_take(struct bpfvm_map *outer,
					      struct map_in_map_held_set *old, uint32_t id)
{
	struct map_in_map_held *entry = map_in_map_held_find(old, id);
	struct bpfvm_map *inner;

	/* The old set keeps its references until no run can be looking
	 * in it; the new one takes its own. */
	if (entry) {
		if (entry->map)
			map_get(entry->map);
		return entry->map;
	}
	if (map_in_map_get_inner(outer, id, &inner))
		return NULL;
	return inner;
}

static void map_in_map_held_set_free(void *set)
{
	map_in_map_held_set_put(set);
}

/* Brings the handles up to the slots: every id named gets its handle (one
 * reference), the handles of ids no longer named are put. The old set is
 * freed after a grace period: a run may be looking in it. */
static void map_in_map_sync(struct bpfvm_map *outer, struct map_in_map_local *local)
{
	struct map_in_map_held_set *old, *set;
	struct map_in_map_ids named = { 0 };
	uint32_t gen, cnt = 0;

	pthread_mutex_lock(&local->lock);
	gen = atomic_load_explicit(&map_in_map_shared_of(outer)->gen, memory_order_acquire);
	if (map_in_map_each_id(outer, map_in_map_ids_add, &named) < 0 || named.failed)
		goto out;
	set = malloc(sizeof(*set) + (size_t)named.cnt * sizeof(set->entries[0]));
	if (!set)
		goto out;
	old = atomic_load_explicit(&local->held, memory_order_relaxed);
	qsort(named.ids, named.cnt, sizeof(named.ids[0]), map_in_map_cmp_id);
	for (uint32_t i = 0; i < named.cnt; i++) {
		if (i && named.ids[i] == named.ids[i - 1])
			continue; /* in two slots */
		set->entries[cnt].id = named.ids[i];
		set->entries[cnt++].map = map_in_map_held_take(outer, old, named.ids[i]);
	}
	set->cnt = cnt;
	atomic_store_explicit(&local->held, set, memory_order_release);
	atomic_store_explicit(&local->seen_gen, gen, memory_order_release);
	if (old)
		vcpu_free_after_grace(outer->vm, map_in_map_held_set_free, old);
out:
	pthread_mutex_unlock(&local->lock);
	free(named.ids);
}

struct bpfvm_map *map_in_map_bpf_lookup(struct bpfvm_map *outer, struct map_in_map_local *local,
					const void *key,
					uint32_t (*read_id)(struct bpfvm_map *outer,
							    const void *key))
{
	struct map_in_map_shared *shared = map_in_map_shared_of(outer);
	struct map_in_map_held *entry;
	uint32_t id;

	if (atomic_load_explicit(&shared->gen, memory_order_acquire) !=
	    atomic_load_explicit(&local->seen_gen, memory_order_acquire))
		map_in_map_sync(outer, local);
	id = read_id(outer, key);
	if (!id)
		return NULL;
	entry = map_in_map_held_find(atomic_load_explicit(&local->held, memory_order_acquire), id);
	if (!entry) {
		/* Stored after this lookup compared the counts: its writer has
		 * not counted it yet. */
		map_in_map_sync(outer, local);
		entry = map_in_map_held_find(atomic_load_explicit(&local->held,
								  memory_order_acquire), id);
	}
	return entry ? entry->map : NULL;
}
