/* Map helpers: the program side of the map operations (map.h), on the
 * run's virtual CPU. Also bpf_tail_call's prototype: the engines perform
 * tail calls themselves (SEMANTICS.md: tail calls are jumps), so its
 * function is never reached from a verified program. */
#include <errno.h>

#include "helpers/helper_proto.h"
#include "helpers/helper_run.h"
#include "maps/map.h"

static struct bpfvm_map *helper_map(uint64_t r)
{
	return (struct bpfvm_map *)(uintptr_t)r;
}

static uint64_t helper_map_lookup_elem(uint64_t map_arg, uint64_t key, uint64_t r3, uint64_t r4,
				       uint64_t r5)
{
	struct bpfvm_map *map = helper_map(map_arg);

	if (!map->ops->bpf_lookup)
		return 0;
	return (uint64_t)(uintptr_t)map->ops->bpf_lookup(map, (const void *)(uintptr_t)key,
							 helper_run_cpu());
}

static uint64_t helper_map_update_elem(uint64_t map_arg, uint64_t key, uint64_t value,
				       uint64_t flags, uint64_t r5)
{
	struct bpfvm_map *map = helper_map(map_arg);

	if (!map->ops->bpf_update)
		return helper_errno(-MAP_ENOTSUPP);
	return (uint64_t)map->ops->bpf_update(map, (const void *)(uintptr_t)key,
					      (const void *)(uintptr_t)value, flags,
					      helper_run_cpu());
}

static uint64_t helper_map_delete_elem(uint64_t map_arg, uint64_t key, uint64_t r3, uint64_t r4,
				       uint64_t r5)
{
	struct bpfvm_map *map = helper_map(map_arg);

	if (!map->ops->bpf_delete)
		return helper_errno(-MAP_ENOTSUPP);
	return (uint64_t)map->ops->bpf_delete(map, (const void *)(uintptr_t)key, helper_run_cpu());
}

static uint64_t helper_map_push_elem(uint64_t map_arg, uint64_t value, uint64_t flags,
				     uint64_t r4, uint64_t r5)
{
	struct bpfvm_map *map = helper_map(map_arg);

	if (!map->ops->bpf_push)
		return helper_errno(-MAP_ENOTSUPP);
	return (uint64_t)map->ops->bpf_push(map, (const void *)(uintptr_t)value, flags);
}

static uint64_t helper_map_pop_elem(uint64_t map_arg, uint64_t value, uint64_t r3, uint64_t r4,
				    uint64_t r5)
{
	struct bpfvm_map *map = helper_map(map_arg);

	if (!map->ops->bpf_pop)
		return helper_errno(-MAP_ENOTSUPP);
	return (uint64_t)map->ops->bpf_pop(map, (void *)(uintptr_t)value);
}

static uint64_t helper_map_peek_elem(uint64_t map_arg, uint64_t value, uint64_t r3, uint64_t r4,
				     uint64_t r5)
{
	struct bpfvm_map *map = helper_map(map_arg);

	if (!map->ops->bpf_peek)
		return helper_errno(-MAP_ENOTSUPP);
	return (uint64_t)map->ops->bpf_peek(map, (void *)(uintptr_t)value);
}

/* Another CPU's value; a CPU the map does not have gives NULL, as the
 * kernel's cpu >= nr_cpu_ids. */
static uint64_t helper_map_lookup_percpu_elem(uint64_t map_arg, uint64_t key, uint64_t cpu,
					      uint64_t r4, uint64_t r5)
{
	struct bpfvm_map *map = helper_map(map_arg);

	if (!map->ops->bpf_lookup_percpu || (uint32_t)cpu >= map_nr_cpus(map))
		return 0;
	return (uint64_t)(uintptr_t)map->ops->bpf_lookup_percpu(map, (const void *)(uintptr_t)key,
								(uint32_t)cpu);
}

static uint64_t helper_tail_call(uint64_t ctx, uint64_t map, uint64_t index, uint64_t r4,
				 uint64_t r5)
{
	return helper_errno(-EOPNOTSUPP);
}

/* kernel/bpf/helpers.c and kernel/bpf/core.c (bpf_tail_call_proto). */
const struct helper_proto helper_protos_maps[] = {
	{ .id = BPF_FUNC_map_lookup_elem, .name = "bpf_map_lookup_elem",
	  .fn = helper_map_lookup_elem, .ret = RET_PTR_TO_MAP_VALUE_OR_NULL,
	  .args = { ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY }, .families = HELPER_FAMILY_ANY },
	{ .id = BPF_FUNC_map_update_elem, .name = "bpf_map_update_elem",
	  .fn = helper_map_update_elem, .ret = RET_INTEGER,
	  .args = { ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_PTR_TO_MAP_VALUE, ARG_ANYTHING },
	  .families = HELPER_FAMILY_ANY },
	{ .id = BPF_FUNC_map_delete_elem, .name = "bpf_map_delete_elem",
	  .fn = helper_map_delete_elem, .ret = RET_INTEGER,
	  .args = { ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY }, .families = HELPER_FAMILY_ANY },
	{ .id = BPF_FUNC_map_push_elem, .name = "bpf_map_push_elem", .fn = helper_map_push_elem,
	  .ret = RET_INTEGER, .args = { ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_VALUE, ARG_ANYTHING },
	  .families = HELPER_FAMILY_ANY },
	{ .id = BPF_FUNC_map_pop_elem, .name = "bpf_map_pop_elem", .fn = helper_map_pop_elem,
	  .ret = RET_INTEGER, .args = { ARG_CONST_MAP_PTR, ARG_PTR_TO_UNINIT_MAP_VALUE },
	  .families = HELPER_FAMILY_ANY },
	{ .id = BPF_FUNC_map_peek_elem, .name = "bpf_map_peek_elem", .fn = helper_map_peek_elem,
	  .ret = RET_INTEGER, .args = { ARG_CONST_MAP_PTR, ARG_PTR_TO_UNINIT_MAP_VALUE },
	  .families = HELPER_FAMILY_ANY },
	{ .id = BPF_FUNC_map_lookup_percpu_elem, .name = "bpf_map_lookup_percpu_elem",
	  .fn = helper_map_lookup_percpu_elem, .ret = RET_PTR_TO_MAP_VALUE_OR_NULL,
	  .args = { ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_ANYTHING },
	  .families = HELPER_FAMILY_ANY },
	{ .id = BPF_FUNC_tail_call, .name = "bpf_tail_call", .fn = helper_tail_call,
	  .ret = RET_VOID, .args = { ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING },
	  .families = HELPER_FAMILY_ANY, .engine_builtin = true },
	{ 0 },
};
