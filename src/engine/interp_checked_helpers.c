/* Checked mode at helper calls (engine/interp_checked.h): the memory a helper
 * is given, by the argument types of its prototype (helpers/helper_proto.h),
 * and the memory it hands back. Helpers registered by the embedder have no
 * prototype and are not checked.
 */
#include <errno.h>
#include <stdio.h>

#include "core/runtime.h"
#include "engine/interp.h"
#include "engine/interp_checked.h"
#include "engine/prog.h"
#include "helpers/helper_proto.h"
#include "helpers/helper_table.h"
#include "maps/map.h"

/* The map a prototype's ARG_CONST_MAP_PTR argument names, or NULL. */
static const struct bpfvm_map *proto_map(const struct helper_proto *proto, const uint64_t args[5])
{
	for (int i = 0; i < 5; i++)
		if (proto->args[i] == ARG_CONST_MAP_PTR)
			return (const struct bpfvm_map *)(uintptr_t)args[i];
	return NULL;
}

static bool is_size_arg(enum helper_arg arg)
{
	return arg == ARG_CONST_SIZE || arg == ARG_CONST_SIZE_OR_ZERO;
}

/* A NUL-terminated string, each byte inside a region. */
static int check_string(struct checked_state *state, uint64_t ptr, const char *what)
{
	for (uint64_t i = 0;; i++) {
		int err = checked_access(state, ptr + i, 1, false, what);

		if (err)
			return err;
		if (*(const char *)(uintptr_t)(ptr + i) == '\0')
			return 0;
	}
}

static bool is_live_record(const struct checked_state *state, uint64_t ptr)
{
	for (uint32_t i = 0; i < state->region_cnt; i++)
		if (state->regions[i].kind == CHECKED_RINGBUF && state->regions[i].start == ptr)
			return true;
	return false;
}

/* The memory argument i of a helper, with the size its prototype gives it
 * (0: nothing to check). */
static uint64_t arg_mem_size(const struct helper_proto *proto, const uint64_t args[5], int i,
			     const struct bpfvm_map *map, bool *is_write)
{
	*is_write = false;
	switch (proto->args[i]) {
	case ARG_PTR_TO_MAP_KEY:
		return map ? map_key_size(map) : 0;
	case ARG_PTR_TO_MAP_VALUE:
		return map ? map_value_size(map) : 0;
	case ARG_PTR_TO_UNINIT_MAP_VALUE:
		*is_write = true;
		return map ? map_value_size(map) : 0;
	case ARG_PTR_TO_UNINIT_MEM:
		*is_write = true;
		/* fall through */
	case ARG_PTR_TO_MEM:
	case ARG_PTR_TO_MEM_OR_NULL:
		return i < 4 && is_size_arg(proto->args[i + 1]) ? args[i + 1] : 0;
	case ARG_PTR_TO_LONG:
		*is_write = true;
		return 8;
	case ARG_PTR_TO_INT:
		*is_write = true;
		return 4;
	case ARG_PTR_TO_STACK_OR_NULL:
		return 1;
	default:
		return 0;
	}
}

/* A callback: the decoded first instruction of a subprogram of the running
 * program (what lddw BPF_PSEUDO_FUNC loads, interp_decode.c). */
static int check_function(struct checked_state *state, uint64_t ptr, const char *what)
{
	const struct bpfvm_prog *prog = state->prog;
	uint64_t base = (uint64_t)(uintptr_t)prog->interp->insns;
	uint64_t idx = (ptr - base) / sizeof(struct interp_insn);

	if (ptr >= base && (ptr - base) % sizeof(struct interp_insn) == 0 &&
	    idx < prog->insn_cnt && prog_subprog_of(prog, (uint32_t)idx)->start == idx)
		return 0;
	return checked_trap(state, "%s: 0x%llx is not a function of the program", what,
			    (unsigned long long)ptr);
}

/* The kernel's rule: a lock is the bpf_spin_lock of a map value. */
static int check_spin_lock(struct checked_state *state, uint64_t ptr, const char *what)
{
	const struct checked_region *r;
	int err = checked_access(state, ptr, 4, true, what);

	if (err)
		return err;
	r = checked_find(state, ptr, 4);
	if (r->kind != CHECKED_MAP_VALUE || !r->map || r->map->region->spin_lock_off < 0 ||
	    ptr != r->start + (uint64_t)r->map->region->spin_lock_off)
		return checked_trap(state, "%s: 0x%llx is not the bpf_spin_lock of a map value",
				    what, (unsigned long long)ptr);
	return 0;
}

/* One lock at a time, unlocked by the holder (the verifier's
 * process_spin_lock). */
static int check_lock_order(struct checked_state *state, const struct helper_proto *proto,
			    uint64_t ptr)
{
	if (proto->id == BPF_FUNC_spin_lock && state->held_lock)
		return checked_trap(state, "bpf_spin_lock while holding the lock at 0x%llx",
				    (unsigned long long)state->held_lock);
	if (proto->id == BPF_FUNC_spin_unlock && state->held_lock != ptr)
		return checked_trap(state, "bpf_spin_unlock of 0x%llx, not the lock held (0x%llx)",
				    (unsigned long long)ptr, (unsigned long long)state->held_lock);
	return 0;
}

static int check_arg(struct checked_state *state, const struct helper_proto *proto,
		     const uint64_t args[5], int i, const struct bpfvm_map *map)
{
	enum helper_arg type = proto->args[i];
	char what[96];
	bool is_write;
	uint64_t size;

	snprintf(what, sizeof(what), "%s arg%d", proto->name, i + 1);
	if (type == ARG_CONST_MAP_PTR && !checked_known_map(state, args[i]))
		return checked_trap(state, "%s: 0x%llx is not a map the run uses", what,
				    (unsigned long long)args[i]);
	if (type == ARG_PTR_TO_CTX && args[i] != state->ctx)
		return checked_trap(state, "%s: 0x%llx is not the context (0x%llx)", what,
				    (unsigned long long)args[i], (unsigned long long)state->ctx);
	if (type == ARG_PTR_TO_RINGBUF_MEM && !is_live_record(state, args[i]))
		return checked_trap(state, "%s: 0x%llx is not a reserved ring buffer record",
				    what, (unsigned long long)args[i]);
	if (type == ARG_PTR_TO_CONST_STR)
		return check_string(state, args[i], what);
	if (type == ARG_PTR_TO_FUNC)
		return check_function(state, args[i], what);
	if (type == ARG_PTR_TO_SPIN_LOCK) {
		int err = check_spin_lock(state, args[i], what);

		return err ? err : check_lock_order(state, proto, args[i]);
	}
	if ((type == ARG_PTR_TO_MEM_OR_NULL || type == ARG_PTR_TO_STACK_OR_NULL) && !args[i])
		return 0;
	size = arg_mem_size(proto, args, i, map, &is_write);
	return size ? checked_access(state, args[i], size, is_write, what) : 0;
}

int checked_helper_args(struct checked_state *state, const struct helper_proto *proto,
			const uint64_t args[5])
{
	const struct bpfvm_map *map = NULL;

	for (int i = 0; i < 5 && proto->args[i] != ARG_NONE; i++) {
		int err = check_arg(state, proto, args, i, map);

		if (err)
			return err;
		if (proto->args[i] == ARG_CONST_MAP_PTR)
			map = proto_map(proto, args);
	}
	return 0;
}

static bool is_map_of_maps(const struct bpfvm_map *map)
{
	return map_type(map) == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	       map_type(map) == BPF_MAP_TYPE_HASH_OF_MAPS;
}

static int add_map_value(struct checked_state *state, const struct bpfvm_map *map, uint64_t value)
{
	return checked_add_region(state, CHECKED_MAP_VALUE, value, map_value_size(map),
				  map_flags(map) & BPF_F_RDONLY_PROG, map);
}

int checked_helper_result(struct checked_state *state, const struct helper_proto *proto,
			  const uint64_t args[5], uint64_t r0)
{
	const struct bpfvm_map *map = proto_map(proto, args);

	for (int i = 0; i < 5; i++)
		if (proto->args[i] == ARG_PTR_TO_RINGBUF_MEM)
			checked_release_record(state, args[i]);
	if (proto->id == BPF_FUNC_spin_lock)
		state->held_lock = args[0];
	if (proto->id == BPF_FUNC_spin_unlock)
		state->held_lock = 0;
	if (!r0)
		return 0;
	switch (proto->ret) {
	case RET_PTR_TO_MAP_VALUE_OR_NULL:
		if (!map)
			return 0;
		if (is_map_of_maps(map))
			return checked_add_map(state, (const struct bpfvm_map *)(uintptr_t)r0);
		return add_map_value(state, map, r0);
	case RET_PTR_TO_RINGBUF_MEM_OR_NULL:
		return checked_add_region(state, CHECKED_RINGBUF, r0, args[1], false, map);
	case RET_PTR_TO_MAP_OR_NULL:
		return checked_add_map(state, (const struct bpfvm_map *)(uintptr_t)r0);
	case RET_PTR_TO_MEM_OR_NULL:
		return checked_add_region(state, CHECKED_KFUNC_MEM, r0, proto->ret_mem_size, false,
					  NULL);
	default:
		return 0;
	}
}

int checked_callback_args(struct checked_state *state, const uint64_t args[5])
{
	const struct bpfvm_map *map = (const struct bpfvm_map *)(uintptr_t)args[0];
	int err;

	if (state->helper_id != BPF_FUNC_for_each_map_elem || !checked_known_map(state, args[0]))
		return 0;
	err = checked_add_region(state, CHECKED_MAP_KEY, args[1], map_key_size(map), true, map);
	return err ? err : add_map_value(state, map, args[2]);
}

static void call_helper(const struct checked_state *state, uint32_t id, uint64_t arg)
{
	const struct helper_entry *entry = helper_table_find(&state->prog->vm->helpers, id);

	if (entry && entry->fn)
		entry->fn(arg, 0, 0, 0, 0);
}

/* A ring buffer record still reserved: discarded, so that the ring does not
 * stay blocked behind it. Returns its address, or 0. */
static uint64_t discard_a_record(struct checked_state *state)
{
	for (uint32_t i = 0; i < state->region_cnt; i++) {
		uint64_t start = state->regions[i].start;

		if (state->regions[i].kind != CHECKED_RINGBUF)
			continue;
		checked_release_record(state, start);
		call_helper(state, BPF_FUNC_ringbuf_discard, start);
		return start;
	}
	return 0;
}

int checked_end_run(struct checked_state *state, int err)
{
	uint64_t lock = state->held_lock, record = 0, more;

	state->held_lock = 0;
	if (lock)
		call_helper(state, BPF_FUNC_spin_unlock, lock);
	while ((more = discard_a_record(state)))
		record = record ? record : more;
	if (err)
		return err;
	if (lock)
		return checked_trap(state, "the run ends holding the bpf_spin_lock at 0x%llx",
				    (unsigned long long)lock);
	if (record)
		return checked_trap(state, "the run ends with the ring buffer record at 0x%llx "
				    "neither submitted nor discarded", (unsigned long long)record);
	return 0;
}
