/* Helpers that call back into the program: bpf_loop (181) and
 * bpf_for_each_map_elem (164), kernel/bpf/bpf_iter.c and the maps'
 * map_for_each_callback. The callback is a function of the running program
 * (lddw BPF_PSEUDO_FUNC), entered with run_call_function() on a fresh frame.
 * A callback that fails (budget exhausted) stops the loop and marks the run
 * failed through run->error. */
#include <errno.h>

#include "helpers/helper_proto.h"
#include "helpers/helper_run.h"
#include "maps/map.h"

/* BPF_MAX_LOOPS */
#define HELPER_MAX_LOOPS (1u << 23)

/* Calls the callback; returns its r0, or records the run's error and
 * returns 1 (stop). */
static uint64_t callback_call(struct run_ctx *run, uint64_t fn, uint64_t r1, uint64_t r2,
			      uint64_t r3, uint64_t r4)
{
	uint64_t ret = 0;
	int err;

	if (!run)
		return 1;
	err = run_call_function(run, fn, r1, r2, r3, r4, 0, &ret);
	if (err) {
		if (!run->error)
			run->error = err;
		return 1;
	}
	return ret;
}

/* Calls fn(i, ctx) for i < nr_loops until it returns non-zero (the
 * verifier limits it to 0 or 1); returns the number of calls made. */
static uint64_t helper_loop(uint64_t nr_loops_arg, uint64_t fn, uint64_t ctx, uint64_t flags,
			    uint64_t r5)
{
	struct run_ctx *run = run_ctx_current();
	uint32_t nr_loops = (uint32_t)nr_loops_arg, i;

	if (flags)
		return helper_errno(-EINVAL);
	if (nr_loops > HELPER_MAX_LOOPS)
		return helper_errno(-E2BIG);
	for (i = 0; i < nr_loops; i++)
		if (callback_call(run, fn, i, ctx, 0, 0))
			return i + 1;
	return i;
}

struct for_each_state {
	struct run_ctx *run;
	uint64_t fn;
	uint64_t ctx;
};

static long for_each_visit(struct bpfvm_map *map, void *key, void *value, void *cb_ctx)
{
	struct for_each_state *state = cb_ctx;

	return (long)callback_call(state->run, state->fn, (uint64_t)(uintptr_t)map,
				   (uint64_t)(uintptr_t)key, (uint64_t)(uintptr_t)value, state->ctx);
}

/* fn(map, key, value, ctx) for each element until it returns 1; returns the
 * number of elements visited. */
static uint64_t helper_for_each_map_elem(uint64_t map_arg, uint64_t fn, uint64_t ctx,
					 uint64_t flags, uint64_t r5)
{
	struct bpfvm_map *map = (struct bpfvm_map *)(uintptr_t)map_arg;
	struct for_each_state state = { run_ctx_current(), fn, ctx };

	if (flags)
		return helper_errno(-EINVAL);
	if (!map->ops->bpf_for_each)
		return helper_errno(-MAP_ENOTSUPP);
	return (uint64_t)map->ops->bpf_for_each(map, helper_run_cpu(), for_each_visit, &state);
}

const struct helper_proto helper_protos_callbacks[] = {
	{ .id = BPF_FUNC_loop, .name = "bpf_loop", .fn = helper_loop, .ret = RET_INTEGER,
	  .args = { ARG_ANYTHING, ARG_PTR_TO_FUNC, ARG_PTR_TO_STACK_OR_NULL, ARG_ANYTHING },
	  .families = HELPER_FAMILY_ANY },
	{ .id = BPF_FUNC_for_each_map_elem, .name = "bpf_for_each_map_elem",
	  .fn = helper_for_each_map_elem, .ret = RET_INTEGER,
	  .args = { ARG_CONST_MAP_PTR, ARG_PTR_TO_FUNC, ARG_PTR_TO_STACK_OR_NULL, ARG_ANYTHING },
	  .families = HELPER_FAMILY_ANY },
	{ 0 },
};
