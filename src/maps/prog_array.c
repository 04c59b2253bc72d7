/* BPF_MAP_TYPE_PROG_ARRAY: an array of programs for tail calls. The layout is
 * the one of every array of references (fd_array.h): ids in the region,
 * program pointers in this process.
 *
 * User space writes program ids and reads them back; programs cannot look
 * the array up (the verifier allows it only as bpf_tail_call's argument).
 * Each slot holds a reference to its program. The program may reference
 * the array in turn (its own tail calls): the cycle is broken, as in the
 * kernel, by emptying every slot when the last user reference to the array
 * goes (SEMANTICS.md: PROG_ARRAY maps). */
#include <errno.h>
#include <stdatomic.h>

#include "core/error.h"
#include "core/runtime.h"
#include "engine/jit.h"
#include "engine/prog.h"
#include "maps/array.h"
#include "maps/fd_array.h"
#include "maps/map.h"
#include "maps/prog_array.h"

/* map->owner_set: who owns the array. */
enum prog_array_owner_state {
	PROG_ARRAY_NO_OWNER = 0,
	PROG_ARRAY_CLAIMING = 1, /* owner fields being written */
	PROG_ARRAY_OWNED = 2,
};

static uint32_t prog_array_wait_owner(struct bpfvm_map *map)
{
	uint32_t state;

	while ((state = atomic_load_explicit(&map->owner_set, memory_order_acquire)) ==
	       PROG_ARRAY_CLAIMING)
		;
	return state;
}

/* XDP programs that handle multi-buffer packets (xdp.frags) and those that
 * do not may not share an array: the kernel's bpf_prog_map_compatible. */
static bool prog_has_frags(const struct bpfvm_prog *prog)
{
	return (prog->prog_flags & BPF_F_XDP_HAS_FRAGS) != 0;
}

int prog_array_check_owner(struct bpfvm_map *map, const struct bpfvm_prog *prog)
{
	uint32_t state = PROG_ARRAY_NO_OWNER;

	if (atomic_compare_exchange_strong(&map->owner_set, &state, PROG_ARRAY_CLAIMING)) {
		map->owner_prog_type = prog->type;
		map->owner_attach_type = prog->expected_attach_type;
		map->owner_xdp_has_frags = prog_has_frags(prog);
		map->owner_jited = prog->jit != NULL;
		atomic_store_explicit(&map->owner_set, PROG_ARRAY_OWNED, memory_order_release);
		return 0;
	}
	prog_array_wait_owner(map);
	/* A tail call stays in its engine: JIT code jumps into machine code,
	 * the interpreter into decoded instructions (the kernel's "execution
	 * mode", owner.jited). */
	if (map->owner_jited != (prog->jit != NULL)) {
		vm_error("map '%.16s': program '%s' (run by the %s) cannot join a prog array owned "
			 "by programs run by the %s", map->region->name, prog->name,
			 prog->jit ? "JIT" : "interpreter", map->owner_jited ? "JIT" : "interpreter");
		return -EINVAL;
	}
	if (map->owner_prog_type != (uint32_t)prog->type ||
	    map->owner_attach_type != (uint32_t)prog->expected_attach_type ||
	    map->owner_xdp_has_frags != prog_has_frags(prog)) {
		vm_error("map '%.16s': program '%s' (type %u, attach type %u) cannot join a prog "
			 "array owned by programs of type %u, attach type %u",
			 map->region->name, prog->name, prog->type, prog->expected_attach_type,
			 map->owner_prog_type, map->owner_attach_type);
		return -EINVAL;
	}
	return 0;
}

static bool prog_array_try_get(void *prog)
{
	return prog_try_get(prog);
}

static int prog_array_get_prog(struct bpfvm_map *map, uint32_t id, void **object)
{
	struct bpfvm_prog *prog = id_table_get(&map->vm->prog_ids, id, prog_array_try_get);
	int err;

	if (!prog) {
		vm_error("map '%.16s': no program with id %u", map->region->name, id);
		return -EBADF;
	}
	err = prog_array_check_owner(map, prog);
	if (err) {
		prog_put(prog);
		return err;
	}
	*object = prog;
	return 0;
}

static void prog_array_put_prog(void *prog)
{
	prog_put(prog);
}

static void prog_array_slot_changed(struct bpfvm_map *map, uint32_t index)
{
	jit_poke_slot_changed(map, index);
}

static const struct fd_array_ops prog_array_fd_ops = {
	.get = prog_array_get_prog,
	.put = prog_array_put_prog,
	.changed = prog_array_slot_changed,
};

static void prog_array_release(struct bpfvm_map *map)
{
	fd_array_release(map, &prog_array_fd_ops);
}

static void prog_array_release_user(struct bpfvm_map *map)
{
	fd_array_clear(map, &prog_array_fd_ops);
}

static int prog_array_update(struct bpfvm_map *map, const void *key, const void *value,
			     uint64_t flags)
{
	return fd_array_update(map, &prog_array_fd_ops, key, value, flags);
}

static int prog_array_delete(struct bpfvm_map *map, const void *key)
{
	return fd_array_delete(map, &prog_array_fd_ops, key);
}

const struct map_ops prog_array_map_ops = {
	.share_refusal = "its slots hold this process's programs (shared prog arrays: next round)",
	.check_attr = fd_array_check_attr,
	.region_size = fd_array_region_size,
	.init = fd_array_init,
	.release = prog_array_release,
	.release_user = prog_array_release_user,
	.lookup = fd_array_lookup,
	.update = prog_array_update,
	.delete = prog_array_delete,
	.get_next_key = array_get_next_key,
};
