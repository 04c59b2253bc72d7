/* Shared prog arrays: this process's list of them and their updates
 * (ns_prog_array.h). */
#include <errno.h>
#include <stdlib.h>

#include "core/error.h"
#include "core/runtime.h"
#include "maps/map.h"
#include "maps/prog_array.h"
#include "ns/ns.h"
#include "ns/ns_prog_array.h"

int ns_prog_array_add(struct bpfvm_map *map)
{
	struct ns_local *local = ns_local(map->vm->ns);
	int err = 0;

	pthread_mutex_lock(&local->lock);
	if (local->array_cnt == local->array_cap) {
		uint32_t cap = local->array_cap ? 2 * local->array_cap : 8;
		struct bpfvm_map **arrays = realloc(local->arrays, cap * sizeof(*arrays));

		if (arrays) {
			local->arrays = arrays;
			local->array_cap = cap;
		} else {
			vm_error("map '%.16s': out of memory", map->region->name);
			err = -ENOMEM;
		}
	}
	if (!err)
		local->arrays[local->array_cnt++] = map;
	/* Its slots start empty: the next run fills them. */
	atomic_fetch_sub(&local->seen_gen, 1);
	pthread_mutex_unlock(&local->lock);
	return err;
}

void ns_prog_array_remove(struct bpfvm_map *map)
{
	struct ns_local *local = ns_local(map->vm->ns);

	pthread_mutex_lock(&local->lock);
	for (uint32_t i = 0; i < local->array_cnt; i++) {
		if (local->arrays[i] == map) {
			local->arrays[i] = local->arrays[--local->array_cnt];
			break;
		}
	}
	pthread_mutex_unlock(&local->lock);
}

void ns_prog_array_changed(struct ns *ns)
{
	atomic_fetch_add_explicit(ns_prog_array_gen(ns), 1, memory_order_release);
}

void ns_prog_arrays_sync(struct bpfvm *vm)
{
	struct ns_local *local = ns_local(vm->ns);
	uint32_t gen = atomic_load_explicit(ns_prog_array_gen(vm->ns), memory_order_acquire);

	if (gen == atomic_load_explicit(&local->seen_gen, memory_order_relaxed))
		return;
	/* Another thread may be at it: this run waits for it. Taking the slots
	 * as they are ran programs that had left them before the run began
	 * (tests/stress/test_stress_prog_array.c), and a run must end in a
	 * program that was in the slot at a moment of the run. */
	pthread_mutex_lock(&local->lock);
	/* Resolving an id may open another shared array (a program's map),
	 * which joins the list: it is walked by index, and synced too. */
	for (uint32_t i = 0; i < local->array_cnt; i++)
		prog_array_sync(local->arrays[i]);
	atomic_store_explicit(&local->seen_gen, gen, memory_order_relaxed);
	pthread_mutex_unlock(&local->lock);
}
