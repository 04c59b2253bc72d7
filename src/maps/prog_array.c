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
#include "ns/ns_map.h"
#include "ns/ns_prog.h"
#include "ns/ns_prog_array.h"

/* XDP programs that handle multi-buffer packets (xdp.frags) and those that
 * do not may not share an array: the kernel's bpf_prog_map_compatible. */
static bool prog_has_frags(const struct bpfvm_prog *prog)
{
	return (prog->prog_flags & BPF_F_XDP_HAS_FRAGS) != 0;
}

/* The region's owner into this process's copy (map.h), for the loader's
 * messages. */
static void prog_array_mirror_owner(struct bpfvm_map *map, const struct fd_array_owner *owner)
{
	map->owner_prog_type = owner->prog_type;
	map->owner_attach_type = owner->attach_type;
	map->owner_xdp_has_frags = owner->xdp_has_frags != 0;
	map->owner_jited = owner->jited != 0;
	atomic_store_explicit(&map->owner_set, 1, memory_order_release);
}

/* The owner lives in the region, so that it is one for every process of a
 * shared array; it is claimed under the region's lock. */
int prog_array_check_owner(struct bpfvm_map *map, const struct bpfvm_prog *prog)
{
	struct fd_array_owner *owner = fd_array_owner(map);
	struct fd_array_owner held;
	int err = fd_array_lock(map);

	if (err)
		return err;
	if (!owner->set) {
		owner->prog_type = prog->type;
		owner->attach_type = prog->expected_attach_type;
		owner->xdp_has_frags = prog_has_frags(prog);
		owner->jited = prog->jit != NULL;
		owner->set = 1;
	}
	prog_array_mirror_owner(map, owner);
	held = *owner; /* compared below, after the lock: the mirror's fields are
			* written by every thread that checks, under the lock
			* (ThreadSanitizer: a race when read after it) */
	fd_array_unlock(map);
	/* A tail call stays in its engine: JIT code jumps into machine code,
	 * the interpreter into decoded instructions (the kernel's "execution
	 * mode", owner.jited). */
	if ((held.jited != 0) != (prog->jit != NULL)) {
		vm_error("map '%.16s': program '%s' (run by the %s) cannot join a prog array owned "
			 "by programs run by the %s", map->region->name, prog->name,
			 prog->jit ? "JIT" : "interpreter", held.jited ? "JIT" : "interpreter");
		return -EINVAL;
	}
	if (held.prog_type != (uint32_t)prog->type ||
	    held.attach_type != (uint32_t)prog->expected_attach_type ||
	    (held.xdp_has_frags != 0) != prog_has_frags(prog)) {
		vm_error("map '%.16s': program '%s' (type %u, attach type %u) cannot join a prog "
			 "array owned by programs of type %u, attach type %u",
			 map->region->name, prog->name, prog->type, prog->expected_attach_type,
			 held.prog_type, held.attach_type);
		return -EINVAL;
	}
	return 0;
}

static bool prog_array_try_get(void *prog)
{
	return prog_try_get(prog);
}

/* An id of this process, or in a namespace of any of its processes (this
 * process's instance of it, made the first time: ns/ns_prog.h). */
static int prog_array_get_prog(struct bpfvm_map *map, uint32_t id, void **object)
{
	struct bpfvm_prog *prog = id_table_get(&map->vm->prog_ids, id, prog_array_try_get);
	int err;

	if (!prog && map->vm->ns && ns_prog_open(map->vm, NULL, id, &prog))
		prog = NULL;
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

static void prog_array_hold_id(struct bpfvm_map *map, uint32_t index, uint32_t id, bool take)
{
	ns_prog_slot_ref(map->vm->ns, id, map->region->id, index, take);
}

static const struct fd_array_ops prog_array_fd_ops = {
	.get = prog_array_get_prog,
	.put = prog_array_put_prog,
	.changed = prog_array_slot_changed,
	.hold_id = prog_array_hold_id,
};

/* A shared array's slots of this process follow the region's ids, which
 * other processes write (ns/ns_prog_array.h). */
static int prog_array_follow(struct bpfvm_map *map)
{
	return map->shared ? ns_prog_array_add(map) : 0;
}

static int prog_array_init(struct bpfvm_map *map)
{
	int err = fd_array_init(map);

	if (!err && (err = prog_array_follow(map)))
		fd_array_release(map, &prog_array_fd_ops);
	return err;
}

static int prog_array_open(struct bpfvm_map *map)
{
	int err = fd_array_open(map);

	if (!err && (err = prog_array_follow(map)))
		fd_array_release(map, &prog_array_fd_ops);
	return err;
}

static void prog_array_release(struct bpfvm_map *map)
{
	if (map->shared)
		ns_prog_array_remove(map);
	fd_array_release(map, &prog_array_fd_ops);
}

void prog_array_sync(struct bpfvm_map *map)
{
	fd_array_sync(map, &prog_array_fd_ops);
}

/* A write of a shared array's ids: the other processes' slots are behind. */
static int prog_array_written(struct bpfvm_map *map, int err)
{
	if (!err && map->shared)
		ns_prog_array_changed(map->vm->ns);
	return err;
}

/* The kernel empties a prog array when its last user reference goes (fds
 * and pins: map_release_uref). Shared, that is the last of every process's
 * and of the pins (ns_map_user_release). */
static void prog_array_release_user(struct bpfvm_map *map)
{
	if (map->shared && !ns_map_user_release(map))
		return;
	fd_array_clear(map, &prog_array_fd_ops);
	prog_array_written(map, 0);
}

static int prog_array_update(struct bpfvm_map *map, const void *key, const void *value,
			     uint64_t flags)
{
	return prog_array_written(map, fd_array_update(map, &prog_array_fd_ops, key, value, flags));
}

static int prog_array_delete(struct bpfvm_map *map, const void *key)
{
	return prog_array_written(map, fd_array_delete(map, &prog_array_fd_ops, key));
}

const struct map_ops prog_array_map_ops = {
	/* Shared: the region holds program ids, each process its instances
	 * (fd_array.h). Every process writes the region: it takes the lock
	 * to bring its slots up to date. */
	.share = MAP_SHARE_RW,
	.check_attr = fd_array_check_attr,
	.region_size = fd_array_region_size,
	.local_size = fd_array_local_size,
	.check_region = fd_array_check_region,
	.init = prog_array_init,
	.open = prog_array_open,
	.release = prog_array_release,
	.release_user = prog_array_release_user,
	.lookup = fd_array_lookup,
	.update = prog_array_update,
	.delete = prog_array_delete,
	.get_next_key = array_get_next_key,
};
