/* The sockmap helpers (net/core/sock_map.c, filter.c): sk_msg programs
 * redirect a message and meter it (msg_redirect_map/hash, msg_apply_bytes,
 * msg_cork_bytes), sk_skb programs redirect a stream's skb
 * (sk_redirect_map/hash), sock_ops programs put their socket in a map
 * (sock_map_update, sock_hash_update).
 *
 * bpfvm has no socket layer (docs/differences.md): sk_msg and sock_ops
 * programs verify but have no runtime context, and sk_skb no test run. What
 * the helpers can do without one, they do as the kernel's:
 *
 *   redirects   a flag other than BPF_F_INGRESS, or a key that names no
 *               socket in the SOCKMAP/SOCKHASH: SK_DROP; a socket there:
 *               SK_PASS (the kernel then queues the data to it: bpfvm
 *               sends nothing)
 *   apply/cork  0: the counts would meter the message, which bpfvm has not
 *   map update  -EOPNOTSUPP, the kernel's answer for a socket the map
 *               cannot hold: the context has no socket
 *
 * Which program types may call them: listed by each type (progtypes:
 * helpers_added), no family; the map each takes is checked by
 * verifier/helper_maps.c (a SOCKMAP for the _map ones, a SOCKHASH for the
 * _hash ones). */
#include <errno.h>
#include <linux/bpf.h>

#include "helpers/helper_proto.h"
#include "maps/sockmap.h"

static uint64_t sockmap_verdict(struct bpfvm_map *map, const void *key, uint64_t flags)
{
	if (flags & ~(uint64_t)BPF_F_INGRESS)
		return SK_DROP;
	return sockmap_holds(map, key) ? SK_PASS : SK_DROP;
}

/* The _map variants take the key by value, a u32 (the kernel's prototype). */
static uint64_t helper_redirect_sockmap(uint64_t ctx, uint64_t map, uint64_t key, uint64_t flags,
					uint64_t r5)
{
	uint32_t index = (uint32_t)key;

	return sockmap_verdict((struct bpfvm_map *)(uintptr_t)map, &index, flags);
}

static uint64_t helper_redirect_sockhash(uint64_t ctx, uint64_t map, uint64_t key,
					 uint64_t flags, uint64_t r5)
{
	return sockmap_verdict((struct bpfvm_map *)(uintptr_t)map, (const void *)(uintptr_t)key,
			       flags);
}

static uint64_t helper_msg_meter(uint64_t ctx, uint64_t bytes, uint64_t r3, uint64_t r4,
				 uint64_t r5)
{
	return 0;
}

static uint64_t helper_sock_map_update(uint64_t ctx, uint64_t map, uint64_t key, uint64_t flags,
				       uint64_t r5)
{
	return (uint64_t)-EOPNOTSUPP;
}

#define SOCKMAP_PROTO(id_, name_, fn_, key_)                                                   \
	{ .id = (id_), .name = (name_), .fn = (fn_),                                           \
	  .args = { ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, (key_), ARG_ANYTHING } }

const struct helper_proto helper_protos_sockmap[] = {
	SOCKMAP_PROTO(BPF_FUNC_msg_redirect_map, "bpf_msg_redirect_map", helper_redirect_sockmap,
		      ARG_ANYTHING),
	SOCKMAP_PROTO(BPF_FUNC_msg_redirect_hash, "bpf_msg_redirect_hash",
		      helper_redirect_sockhash, ARG_PTR_TO_MAP_KEY),
	SOCKMAP_PROTO(BPF_FUNC_sk_redirect_map, "bpf_sk_redirect_map", helper_redirect_sockmap,
		      ARG_ANYTHING),
	SOCKMAP_PROTO(BPF_FUNC_sk_redirect_hash, "bpf_sk_redirect_hash", helper_redirect_sockhash,
		      ARG_PTR_TO_MAP_KEY),
	SOCKMAP_PROTO(BPF_FUNC_sock_map_update, "bpf_sock_map_update", helper_sock_map_update,
		      ARG_PTR_TO_MAP_KEY),
	SOCKMAP_PROTO(BPF_FUNC_sock_hash_update, "bpf_sock_hash_update", helper_sock_map_update,
		      ARG_PTR_TO_MAP_KEY),
	{ .id = BPF_FUNC_msg_apply_bytes, .name = "bpf_msg_apply_bytes", .fn = helper_msg_meter,
	  .args = { ARG_PTR_TO_CTX, ARG_ANYTHING } },
	{ .id = BPF_FUNC_msg_cork_bytes, .name = "bpf_msg_cork_bytes", .fn = helper_msg_meter,
	  .args = { ARG_PTR_TO_CTX, ARG_ANYTHING } },
	{ 0 },
};
