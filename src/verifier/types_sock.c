/* Sockets on abstract states (see types_sock.h). */
#include <errno.h>
#include <stddef.h>
#include <linux/bpf.h>

#include "progtypes/btf_ctx.h"
#include "verifier/refs.h"
#include "verifier/types_sock.h"

#define FIELD_END(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

static bool in_field(int32_t off, size_t start, size_t end)
{
	return off >= (int32_t)start && off < (int32_t)end;
}

/* bpf_sock_is_valid_access: the 4-byte fields, some of them also read in
 * narrower pieces, and dst_port, a 2-byte field that a 4-byte load at its
 * start also reads (the kernel keeps that for old programs). */
static bool bpf_sock_field_ok(int32_t off, uint32_t size)
{
	if (off < 0 || off >= (int32_t)sizeof(struct bpf_sock) || off % (int32_t)size)
		return false;
	switch (off) {
	case offsetof(struct bpf_sock, state):
	case offsetof(struct bpf_sock, family):
	case offsetof(struct bpf_sock, type):
	case offsetof(struct bpf_sock, protocol):
	case offsetof(struct bpf_sock, src_port):
	case offsetof(struct bpf_sock, rx_queue_mapping):
		return progtype_narrow_ok(size, 4);
	}
	if (in_field(off, offsetof(struct bpf_sock, src_ip4),
		     FIELD_END(struct bpf_sock, src_ip6)) ||
	    in_field(off, offsetof(struct bpf_sock, dst_ip4), FIELD_END(struct bpf_sock, dst_ip6)))
		return progtype_narrow_ok(size, 4);
	if (in_field(off, offsetof(struct bpf_sock, dst_port),
		     FIELD_END(struct bpf_sock, dst_port)))
		return size == 4 || progtype_narrow_ok(size, 2);
	if (in_field(off, FIELD_END(struct bpf_sock, dst_port), offsetof(struct bpf_sock, dst_ip4)))
		return false;
	return size == 4;
}

/* bpf_sock_common_is_valid_access: a request or timewait socket has no
 * type, protocol, mark nor priority. */
static bool sock_common_field_ok(int32_t off, uint32_t size)
{
	if (in_field(off, offsetof(struct bpf_sock, type), FIELD_END(struct bpf_sock, priority)))
		return false;
	return bpf_sock_field_ok(off, size);
}

/* bpf_tcp_sock_is_valid_access: whole fields only, two of them 8 bytes. */
static bool tcp_sock_field_ok(int32_t off, uint32_t size)
{
	if (off < 0 || off >= (int32_t)FIELD_END(struct bpf_tcp_sock, icsk_retransmits) ||
	    off % (int32_t)size)
		return false;
	if (off == (int32_t)offsetof(struct bpf_tcp_sock, bytes_received) ||
	    off == (int32_t)offsetof(struct bpf_tcp_sock, bytes_acked))
		return size == 8;
	return size == 4;
}

/* The upper half of bytes_received or bytes_acked: bpf_tcp_sock_is_valid_access
 * lets a 4-byte read there through, bpf_tcp_sock_convert_ctx_access has no
 * case for it, and Linux 6.18 refuses the program after the proof. */
static bool tcp_sock_unconvertible(int32_t off, uint32_t size)
{
	return size == 4 && (off == (int32_t)offsetof(struct bpf_tcp_sock, bytes_received) + 4 ||
			     off == (int32_t)offsetof(struct bpf_tcp_sock, bytes_acked) + 4);
}

int sock_check_access(struct types_env *env, uint32_t idx, uint8_t regno,
		      const struct reg_state *reg, int32_t off, uint32_t size, bool write,
		      struct reg_state *dst)
{
	char name[32];
	bool ok;

	reg_name(reg, name, sizeof(name));
	if (write)
		return types_error(env, idx, -EACCES, "R%u cannot write into %s", regno, name);
	switch (reg_base_type(reg)) {
	case REG_PTR_TO_SOCKET:
		ok = bpf_sock_field_ok(off, size);
		break;
	case REG_PTR_TO_SOCK_COMMON:
		ok = sock_common_field_ok(off, size);
		break;
	default:
		if (tcp_sock_unconvertible(off, size))
			return types_error(env, idx, -EFAULT,
					   "verifier bug: error during ctx access conversion (0)");
		ok = tcp_sock_field_ok(off, size);
		break;
	}
	if (!ok)
		return types_error(env, idx, -EACCES, "R%u invalid %s access off=%d size=%u", regno,
				   name, off, size);
	if (dst)
		reg_mark_unknown(dst);
	return 0;
}

/* A sockmap or sockhash lookup: its element is a socket, a reference (the
 * kernel types it map_value_or_null until the NULL check, then sock). */
static bool sockmap_lookup(const struct helper_call *call)
{
	return call->func_id == BPF_FUNC_map_lookup_elem && call->has_map &&
	       (call->desc.type == BPF_MAP_TYPE_SOCKMAP ||
		call->desc.type == BPF_MAP_TYPE_SOCKHASH);
}

/* The kernel's is_acquire_function for sockets: the lookups. */
static bool sock_helper_acquires(const struct helper_call *call)
{
	return call->func_id == BPF_FUNC_sk_lookup_tcp || call->func_id == BPF_FUNC_sk_lookup_udp ||
	       call->func_id == BPF_FUNC_skc_lookup_tcp || sockmap_lookup(call);
}

/* is_ptr_cast_function: the result is the argument seen as another type,
 * the same reference. bpf_get_listener_sock is not one: a listener is not
 * counted (SOCK_RCU_FREE). */
static bool sock_helper_casts(int32_t func_id)
{
	switch (func_id) {
	case BPF_FUNC_sk_fullsock: case BPF_FUNC_tcp_sock:
	case BPF_FUNC_skc_to_tcp_sock: case BPF_FUNC_skc_to_tcp6_sock:
	case BPF_FUNC_skc_to_udp6_sock: case BPF_FUNC_skc_to_mptcp_sock:
	case BPF_FUNC_skc_to_tcp_timewait_sock: case BPF_FUNC_skc_to_tcp_request_sock:
		return true;
	default:
		return false;
	}
}

/* The kernel struct bpf_skc_to_<struct> returns (its ret_btf_id). */
static const char *cast_struct(int32_t func_id)
{
	switch (func_id) {
	case BPF_FUNC_skc_to_tcp6_sock: return "tcp6_sock";
	case BPF_FUNC_skc_to_tcp_sock: return "tcp_sock";
	case BPF_FUNC_skc_to_tcp_timewait_sock: return "tcp_timewait_sock";
	case BPF_FUNC_skc_to_tcp_request_sock: return "tcp_request_sock";
	case BPF_FUNC_skc_to_udp6_sock: return "udp6_sock";
	case BPF_FUNC_skc_to_unix_sock: return "unix_sock";
	case BPF_FUNC_skc_to_mptcp_sock: return "mptcp_sock";
	default: return "sock_common";
	}
}

/* The type of r0 after the call, or REG_NOT_INIT if it returns no socket. */
static uint16_t result_type(const struct helper_call *call)
{
	if (sockmap_lookup(call))
		return REG_PTR_TO_SOCKET | REG_MAYBE_NULL;
	switch (call->proto->ret) {
	case RET_PTR_TO_SOCKET_OR_NULL:
		return REG_PTR_TO_SOCKET | REG_MAYBE_NULL;
	case RET_PTR_TO_SOCK_COMMON_OR_NULL:
		return REG_PTR_TO_SOCK_COMMON | REG_MAYBE_NULL;
	case RET_PTR_TO_TCP_SOCK_OR_NULL:
		return REG_PTR_TO_TCP_SOCK | REG_MAYBE_NULL;
	case RET_PTR_TO_BTF_ID_OR_NULL:
		return REG_PTR_TO_BTF_ID | REG_MAYBE_NULL;
	default:
		return REG_NOT_INIT;
	}
}

bool sock_helper_result(struct types_env *env, struct verifier_state *st,
			const struct helper_call *call, struct reg_state *r0, int *err)
{
	uint16_t type = result_type(call);
	int id;

	*err = 0;
	if (type == REG_NOT_INIT)
		return false;
	reg_mark_pointer(r0, type, 0);
	if (reg_base_type(r0) == REG_PTR_TO_BTF_ID) {
		r0->btf_id = btf_ctx_find(cast_struct(call->func_id), BTF_KIND_STRUCT);
		r0->btf_flags = BTF_PTR_NO_OBJECT;
	}
	r0->id = ++env->next_id;
	if (sock_helper_casts(call->func_id)) {
		r0->ref_obj_id = call->ref_obj_id;
	} else if (sock_helper_acquires(call)) {
		/* The NULL check refines r0 and drops the reference together. */
		id = refs_acquire(env, st, call->idx);
		if (id < 0)
			*err = id;
		else
			r0->id = r0->ref_obj_id = (uint32_t)id;
	}
	return true;
}

bool sock_ctx_field(struct types_env *env, const struct ctx_rewrite *rewrite,
		    struct reg_state *dst)
{
	switch (rewrite->kind) {
	case CTX_FIELD_SOCKET:
		reg_mark_pointer(dst, REG_PTR_TO_SOCKET, 0);
		return true;
	case CTX_FIELD_SOCKET_OR_NULL:
		reg_mark_pointer(dst, REG_PTR_TO_SOCKET | REG_MAYBE_NULL, 0);
		break;
	case CTX_FIELD_SOCK_COMMON_OR_NULL:
		reg_mark_pointer(dst, REG_PTR_TO_SOCK_COMMON | REG_MAYBE_NULL, 0);
		break;
	default:
		return false;
	}
	dst->id = ++env->next_id;
	return true;
}

enum helper_arg sock_helper_arg(const struct types_env *env, const struct helper_call *call,
				uint8_t regno)
{
	if (call->func_id == BPF_FUNC_sk_assign && regno == BPF_REG_2 &&
	    env->prog->type == BPF_PROG_TYPE_SK_LOOKUP)
		return ARG_PTR_TO_SOCKET_OR_NULL; /* bpf_sk_lookup_assign_proto */
	return call->proto->args[regno - BPF_REG_1];
}
