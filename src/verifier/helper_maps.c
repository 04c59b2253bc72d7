/* The maps a helper may take, both ways, as the kernel's
 * check_map_func_compatibility: first what each map type allows (a prog
 * array only bpf_tail_call, a ring buffer only the ringbuf helpers, ...),
 * then what each helper needs (bpf_tail_call only a prog array, ...). A
 * type or helper not listed has no restriction. The UAPI headers bpfvm
 * builds with (Linux 6.1) lack CGRP_STORAGE: its pair is not listed. */
#include <errno.h>

#include "maps/map.h"
#include "verifier/helper_call.h"

bool helper_map_desc(const struct types_env *env, uint32_t map, struct map_desc *desc)
{
	uint32_t index = map & ~REG_MAP_INNER;
	const struct map_region *region;

	if (index >= env->prog->map_cnt)
		return false;
	region = env->prog->maps[index]->region;
	if (!(map & REG_MAP_INNER)) {
		*desc = (struct map_desc){
			.map = env->prog->maps[index], .type = region->type,
			.key_size = region->key_size, .value_size = region->value_size,
			.max_entries = region->max_entries, .map_flags = region->map_flags,
			.spin_lock_off = region->spin_lock_off,
		};
		return true;
	}
	if (region->type != BPF_MAP_TYPE_ARRAY_OF_MAPS && region->type != BPF_MAP_TYPE_HASH_OF_MAPS)
		return false;
	*desc = (struct map_desc){
		.type = region->inner_type, .key_size = region->inner_key_size,
		.value_size = region->inner_value_size, .max_entries = region->inner_max_entries,
		.map_flags = region->inner_map_flags, .spin_lock_off = region->inner_spin_lock_off,
	};
	return true;
}

static bool func_is(int32_t func_id, const int32_t *ids, unsigned cnt)
{
	for (unsigned i = 0; i < cnt; i++)
		if (ids[i] == func_id)
			return true;
	return false;
}

#define FUNC_IS(func_id, ...)                                                                  \
	func_is(func_id, (const int32_t[]){ __VA_ARGS__ },                                    \
		sizeof((const int32_t[]){ __VA_ARGS__ }) / sizeof(int32_t))

static bool map_type_is(uint32_t type, const uint32_t *types, unsigned cnt)
{
	for (unsigned i = 0; i < cnt; i++)
		if (types[i] == type)
			return true;
	return false;
}

#define MAP_TYPE_IS(type, ...)                                                                 \
	map_type_is(type, (const uint32_t[]){ __VA_ARGS__ },                                  \
		    sizeof((const uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t))

/* The kernel's may_update_sockmap(): map_update_elem and map_delete_elem
 * on a SOCKMAP or SOCKHASH only where the program cannot hold a locked
 * socket (an iterator, sock_ops deleting, the packet-level types). */
static bool may_update_sockmap(const struct bpfvm_prog *prog, int32_t f)
{
	if (f != BPF_FUNC_map_update_elem && f != BPF_FUNC_map_delete_elem)
		return false;
	switch (prog->type) {
	case BPF_PROG_TYPE_TRACING:
		return prog->expected_attach_type == BPF_TRACE_ITER;
	case BPF_PROG_TYPE_SOCK_OPS:
		return f == BPF_FUNC_map_delete_elem;
	case BPF_PROG_TYPE_SOCKET_FILTER:
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_XDP:
	case BPF_PROG_TYPE_SK_REUSEPORT:
	case BPF_PROG_TYPE_FLOW_DISSECTOR:
	case BPF_PROG_TYPE_SK_LOOKUP:
		return true;
	default:
		return false;
	}
}

/* Whether a map of `type` allows helper func_id in `prog`. */
static bool map_allows(const struct bpfvm_prog *prog, uint32_t type, int32_t f)
{
	switch (type) {
	case BPF_MAP_TYPE_PROG_ARRAY:
		return f == BPF_FUNC_tail_call;
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		return FUNC_IS(f, BPF_FUNC_perf_event_read, BPF_FUNC_perf_event_output,
			       BPF_FUNC_skb_output, BPF_FUNC_perf_event_read_value,
			       BPF_FUNC_xdp_output);
	case BPF_MAP_TYPE_RINGBUF:
		return FUNC_IS(f, BPF_FUNC_ringbuf_output, BPF_FUNC_ringbuf_reserve,
			       BPF_FUNC_ringbuf_query, BPF_FUNC_ringbuf_reserve_dynptr,
			       BPF_FUNC_ringbuf_submit_dynptr, BPF_FUNC_ringbuf_discard_dynptr);
	case BPF_MAP_TYPE_USER_RINGBUF:
		return f == BPF_FUNC_user_ringbuf_drain;
	case BPF_MAP_TYPE_STACK_TRACE:
		return f == BPF_FUNC_get_stackid;
	case BPF_MAP_TYPE_CGROUP_ARRAY:
		return FUNC_IS(f, BPF_FUNC_skb_under_cgroup, BPF_FUNC_current_task_under_cgroup);
	case BPF_MAP_TYPE_CGROUP_STORAGE:
	case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
		return f == BPF_FUNC_get_local_storage;
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH:
	case BPF_MAP_TYPE_XSKMAP:
		return FUNC_IS(f, BPF_FUNC_redirect_map, BPF_FUNC_map_lookup_elem);
	case BPF_MAP_TYPE_CPUMAP:
		return f == BPF_FUNC_redirect_map;
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		return f == BPF_FUNC_map_lookup_elem;
	case BPF_MAP_TYPE_SOCKMAP:
		return FUNC_IS(f, BPF_FUNC_sk_redirect_map, BPF_FUNC_sock_map_update,
			       BPF_FUNC_msg_redirect_map, BPF_FUNC_sk_select_reuseport,
			       BPF_FUNC_map_lookup_elem) ||
		       may_update_sockmap(prog, f);
	case BPF_MAP_TYPE_SOCKHASH:
		return FUNC_IS(f, BPF_FUNC_sk_redirect_hash, BPF_FUNC_sock_hash_update,
			       BPF_FUNC_msg_redirect_hash, BPF_FUNC_sk_select_reuseport,
			       BPF_FUNC_map_lookup_elem) ||
		       may_update_sockmap(prog, f);
	case BPF_MAP_TYPE_REUSEPORT_SOCKARRAY:
		return f == BPF_FUNC_sk_select_reuseport;
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		return FUNC_IS(f, BPF_FUNC_map_peek_elem, BPF_FUNC_map_pop_elem,
			       BPF_FUNC_map_push_elem);
	case BPF_MAP_TYPE_SK_STORAGE:
		return FUNC_IS(f, BPF_FUNC_sk_storage_get, BPF_FUNC_sk_storage_delete,
			       BPF_FUNC_kptr_xchg);
	case BPF_MAP_TYPE_INODE_STORAGE:
		return FUNC_IS(f, BPF_FUNC_inode_storage_get, BPF_FUNC_inode_storage_delete,
			       BPF_FUNC_kptr_xchg);
	case BPF_MAP_TYPE_TASK_STORAGE:
		return FUNC_IS(f, BPF_FUNC_task_storage_get, BPF_FUNC_task_storage_delete,
			       BPF_FUNC_kptr_xchg);
	case BPF_MAP_TYPE_BLOOM_FILTER:
		return FUNC_IS(f, BPF_FUNC_map_peek_elem, BPF_FUNC_map_push_elem);
	default:
		return true;
	}
}

/* Whether helper func_id accepts a map of `type`. */
static bool func_accepts(int32_t f, uint32_t type)
{
	switch (f) {
	case BPF_FUNC_tail_call:
		return type == BPF_MAP_TYPE_PROG_ARRAY;
	case BPF_FUNC_perf_event_read:
	case BPF_FUNC_perf_event_output:
	case BPF_FUNC_perf_event_read_value:
	case BPF_FUNC_skb_output:
	case BPF_FUNC_xdp_output:
		return type == BPF_MAP_TYPE_PERF_EVENT_ARRAY;
	case BPF_FUNC_ringbuf_output:
	case BPF_FUNC_ringbuf_reserve:
	case BPF_FUNC_ringbuf_query:
	case BPF_FUNC_ringbuf_reserve_dynptr:
	case BPF_FUNC_ringbuf_submit_dynptr:
	case BPF_FUNC_ringbuf_discard_dynptr:
		return type == BPF_MAP_TYPE_RINGBUF;
	case BPF_FUNC_user_ringbuf_drain:
		return type == BPF_MAP_TYPE_USER_RINGBUF;
	case BPF_FUNC_get_stackid:
		return type == BPF_MAP_TYPE_STACK_TRACE;
	case BPF_FUNC_current_task_under_cgroup:
	case BPF_FUNC_skb_under_cgroup:
		return type == BPF_MAP_TYPE_CGROUP_ARRAY;
	case BPF_FUNC_redirect_map:
		return MAP_TYPE_IS(type, BPF_MAP_TYPE_DEVMAP, BPF_MAP_TYPE_DEVMAP_HASH,
				   BPF_MAP_TYPE_CPUMAP, BPF_MAP_TYPE_XSKMAP);
	case BPF_FUNC_sk_redirect_map:
	case BPF_FUNC_msg_redirect_map:
	case BPF_FUNC_sock_map_update:
		return type == BPF_MAP_TYPE_SOCKMAP;
	case BPF_FUNC_sk_redirect_hash:
	case BPF_FUNC_msg_redirect_hash:
	case BPF_FUNC_sock_hash_update:
		return type == BPF_MAP_TYPE_SOCKHASH;
	case BPF_FUNC_get_local_storage:
		return MAP_TYPE_IS(type, BPF_MAP_TYPE_CGROUP_STORAGE,
				   BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE);
	case BPF_FUNC_sk_select_reuseport:
		return MAP_TYPE_IS(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, BPF_MAP_TYPE_SOCKMAP,
				   BPF_MAP_TYPE_SOCKHASH);
	case BPF_FUNC_map_pop_elem:
		return MAP_TYPE_IS(type, BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK);
	case BPF_FUNC_map_peek_elem:
	case BPF_FUNC_map_push_elem:
		return MAP_TYPE_IS(type, BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK,
				   BPF_MAP_TYPE_BLOOM_FILTER);
	case BPF_FUNC_map_lookup_percpu_elem:
		return MAP_TYPE_IS(type, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERCPU_HASH,
				   BPF_MAP_TYPE_LRU_PERCPU_HASH);
	case BPF_FUNC_sk_storage_get:
	case BPF_FUNC_sk_storage_delete:
		return type == BPF_MAP_TYPE_SK_STORAGE;
	case BPF_FUNC_inode_storage_get:
	case BPF_FUNC_inode_storage_delete:
		return type == BPF_MAP_TYPE_INODE_STORAGE;
	case BPF_FUNC_task_storage_get:
	case BPF_FUNC_task_storage_delete:
		return type == BPF_MAP_TYPE_TASK_STORAGE;
	default:
		return true;
	}
}

/* In the kernel an update of a SOCKMAP or SOCKHASH from a program takes a
 * socket: bpfvm has none to store, so it refuses it rather than type it
 * otherwise. (A lookup gives a socket reference, types_sock.c: NULL here,
 * bpfvm's programs find no socket.) */
static bool takes_or_gives_socket(const struct helper_call *call)
{
	return MAP_TYPE_IS(call->desc.type, BPF_MAP_TYPE_SOCKMAP, BPF_MAP_TYPE_SOCKHASH) &&
	       call->func_id == BPF_FUNC_map_update_elem;
}

int helper_check_map_compat(struct types_env *env, const struct helper_call *call)
{
	if (!call->has_map)
		return 0;
	if (!map_allows(env->prog, call->desc.type, call->func_id) ||
	    !func_accepts(call->func_id, call->desc.type))
		return types_error(env, call->idx, -EINVAL,
				   "cannot pass map_type %u into func %s#%d", call->desc.type,
				   call->name, call->func_id);
	if (takes_or_gives_socket(call))
		return types_error(env, call->idx, -EOPNOTSUPP,
				   "func %s#%d on map_type %u: sockets in programs are not "
				   "supported by bpfvm", call->name, call->func_id,
				   call->desc.type);
	return 0;
}
