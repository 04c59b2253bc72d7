/* Socket lookups and references (net/core/filter.c's bpf_sk_lookup_tcp,
 * bpf_sk_release, bpf_sk_fullsock, bpf_tcp_sock, bpf_skc_to_*, ...).
 *
 * bpfvm has no sockets (docs/differences.md): a lookup finds nothing and
 * returns NULL, as the kernel does when no socket matches; the helpers that
 * take a socket are then never reached with one, since the verifier makes
 * every path NULL-check a socket before passing it (types_sock.c). They
 * answer as the kernel does for "no such socket" all the same. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <linux/bpf.h>

#include "helpers/helper_proto.h"

static uint64_t helper_sock_none(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
				 uint64_t r5)
{
	return 0; /* NULL: no socket; for sk_release and the cgroup ids, 0 */
}

/* The kernel's bpf_sk_assign refuses a socket it cannot take (-EINVAL for
 * flags, -EOPNOTSUPP off tc ingress, ...); bpfvm's tc has no socket to give. */
static uint64_t helper_sk_assign(uint64_t ctx, uint64_t sk, uint64_t flags, uint64_t r4,
				 uint64_t r5)
{
	return (uint64_t)-EINVAL;
}

/* bpf_sock_addr_getsockopt and bpf_sock_ops_getsockopt: the kernel zeroes
 * the buffer when it cannot answer. The context's socket is bpfvm's to
 * give, and these types have no event source here. */
static uint64_t helper_getsockopt(uint64_t ctx, uint64_t level, uint64_t optname, uint64_t optval,
				  uint64_t optlen)
{
	memset((void *)(uintptr_t)optval, 0, (size_t)optlen);
	return (uint64_t)-EINVAL;
}

/* bpf_bind from connect4/6: no socket to bind. */
static uint64_t helper_bind(uint64_t ctx, uint64_t addr, uint64_t addr_len, uint64_t r4,
			    uint64_t r5)
{
	return (uint64_t)-EINVAL;
}

/* bpf_sk_select_reuseport: no socket at the key (bpfvm's maps hold
 * cookies, and sk_reuseport has no event source here). */
static uint64_t helper_sk_select_reuseport(uint64_t ctx, uint64_t map, uint64_t key,
					   uint64_t flags, uint64_t r5)
{
	return (uint64_t)-ENOENT;
}

#define SK_LOOKUP(id_, name_, ret_)                                                            \
	{ .id = (id_), .name = (name_), .fn = helper_sock_none, .ret = (ret_),                 \
	  .args = { ARG_PTR_TO_CTX, ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_ANYTHING, ARG_ANYTHING }, \
	  .families = HELPER_FAMILY_SK_LOOKUP }
#define SK_CAST(id_, name_, ret_)                                                              \
	{ .id = (id_), .name = (name_), .fn = helper_sock_none, .ret = (ret_),                 \
	  .args = { ARG_PTR_TO_SOCK_COMMON }, .families = HELPER_FAMILY_SK_CAST }
/* bpf_sk_base_func_proto's casts to kernel structs (BTF pointers), which
 * the cgroup types without a socket (device, sysctl, sockopt, sock) and
 * sk_reuseport lack (progtypes: helpers_refused). */
#define SKC_TO(id_, name_)                                                                     \
	{ .id = (id_), .name = (name_), .fn = helper_sock_none, .ret = RET_PTR_TO_BTF_ID_OR_NULL, \
	  .args = { ARG_PTR_TO_BTF_ID_SOCK_COMMON },                                             \
	  .families = HELPER_FAMILY_SKB | HELPER_FAMILY_XDP | HELPER_FAMILY_RAW |                \
		      HELPER_FAMILY_SOCK | HELPER_FAMILY_SKC_TO }

/* Which program types may call them: checked against Linux 6.18 by
 * tests/helpers test_helper_sets_kernel. */
const struct helper_proto helper_protos_sock[] = {
	SK_LOOKUP(BPF_FUNC_sk_lookup_tcp, "bpf_sk_lookup_tcp", RET_PTR_TO_SOCKET_OR_NULL),
	SK_LOOKUP(BPF_FUNC_sk_lookup_udp, "bpf_sk_lookup_udp", RET_PTR_TO_SOCKET_OR_NULL),
	SK_LOOKUP(BPF_FUNC_skc_lookup_tcp, "bpf_skc_lookup_tcp", RET_PTR_TO_SOCK_COMMON_OR_NULL),
	{ .id = BPF_FUNC_sk_release, .name = "bpf_sk_release", .fn = helper_sock_none,
	  .args = { ARG_PTR_TO_BTF_ID_SOCK_COMMON_RELEASE },
	  .families = HELPER_FAMILY_SK_LOOKUP },
	SK_CAST(BPF_FUNC_sk_fullsock, "bpf_sk_fullsock", RET_PTR_TO_SOCKET_OR_NULL),
	SK_CAST(BPF_FUNC_tcp_sock, "bpf_tcp_sock", RET_PTR_TO_TCP_SOCK_OR_NULL),
	SK_CAST(BPF_FUNC_get_listener_sock, "bpf_get_listener_sock", RET_PTR_TO_SOCKET_OR_NULL),
	{ .id = BPF_FUNC_sk_assign, .name = "bpf_sk_assign", .fn = helper_sk_assign,
	  .args = { ARG_PTR_TO_CTX, ARG_PTR_TO_BTF_ID_SOCK_COMMON, ARG_ANYTHING } },
	{ .id = BPF_FUNC_sk_cgroup_id, .name = "bpf_sk_cgroup_id", .fn = helper_sock_none,
	  .args = { ARG_PTR_TO_BTF_ID_SOCK_COMMON } },
	{ .id = BPF_FUNC_sk_ancestor_cgroup_id, .name = "bpf_sk_ancestor_cgroup_id",
	  .fn = helper_sock_none, .args = { ARG_PTR_TO_BTF_ID_SOCK_COMMON, ARG_ANYTHING } },
	SKC_TO(BPF_FUNC_skc_to_tcp6_sock, "bpf_skc_to_tcp6_sock"),
	SKC_TO(BPF_FUNC_skc_to_tcp_sock, "bpf_skc_to_tcp_sock"),
	SKC_TO(BPF_FUNC_skc_to_tcp_timewait_sock, "bpf_skc_to_tcp_timewait_sock"),
	SKC_TO(BPF_FUNC_skc_to_tcp_request_sock, "bpf_skc_to_tcp_request_sock"),
	SKC_TO(BPF_FUNC_skc_to_udp6_sock, "bpf_skc_to_udp6_sock"),
	SKC_TO(BPF_FUNC_skc_to_unix_sock, "bpf_skc_to_unix_sock"),
	SKC_TO(BPF_FUNC_skc_to_mptcp_sock, "bpf_skc_to_mptcp_sock"),
	/* sock_addr_func_proto (bind: connect4/6 only, progtype.c) and
	 * sock_ops_func_proto: helpers_added. */
	{ .id = BPF_FUNC_getsockopt, .name = "bpf_getsockopt", .fn = helper_getsockopt,
	  .args = { ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM,
		    ARG_CONST_SIZE } },
	{ .id = BPF_FUNC_bind, .name = "bpf_bind", .fn = helper_bind,
	  .args = { ARG_PTR_TO_CTX, ARG_PTR_TO_MEM, ARG_CONST_SIZE } },
	/* sk_reuseport_func_proto: helpers_added. */
	{ .id = BPF_FUNC_sk_select_reuseport, .name = "bpf_sk_select_reuseport",
	  .fn = helper_sk_select_reuseport,
	  .args = { ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_ANYTHING } },
	{ 0 },
};
