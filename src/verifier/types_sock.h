/* Sockets on abstract states, as the kernel's PTR_TO_SOCKET,
 * PTR_TO_SOCK_COMMON and PTR_TO_TCP_SOCK (kernel/bpf/verifier.c) with the
 * field rules of net/core/filter.c (bpf_sock_is_valid_access and kin):
 *
 *   from                                  r0 / the field
 *   bpf_sk_lookup_tcp/udp                 sock_or_null, a new reference
 *   bpf_skc_lookup_tcp                    sock_common_or_null, a new reference
 *   bpf_sk_fullsock, bpf_get_listener_sock sock_or_null
 *   bpf_tcp_sock                          tcp_sock_or_null
 *   bpf_skc_to_<kind>                     ptr_<kind>_or_null (BTF)
 *   __sk_buff.sk                          sock_common_or_null
 *   bpf_sock_addr.sk, sk_msg_md.sk, ...   sock (progtypes: CTX_FIELD_SOCKET*)
 *
 * A cast (sk_fullsock, tcp_sock, skc_to_*) of a referenced socket carries
 * its reference: releasing either drops both. The NULL side of the check of
 * a lookup's result drops the reference; bpf_sk_release gives it back; a
 * path that exits or tail-calls holding one leaks it (refs.c). */
#ifndef BPFVM_VERIFIER_TYPES_SOCK_H
#define BPFVM_VERIFIER_TYPES_SOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "progtypes/progtype.h"
#include "verifier/helper_call.h"

static inline bool sock_reg_type(enum reg_type type)
{
	return type == REG_PTR_TO_SOCKET || type == REG_PTR_TO_SOCK_COMMON ||
	       type == REG_PTR_TO_TCP_SOCK;
}

/* A load from a socket (check_sock_access): read only, the fields and sizes
 * the kernel allows for its type; dst (may be NULL) becomes a scalar. */
int sock_check_access(struct types_env *env, uint32_t idx, uint8_t regno,
		      const struct reg_state *reg, int32_t off, uint32_t size, bool write,
		      struct reg_state *dst);

/* r0 of a helper returning a socket or a BTF cast of one; false if the
 * return type is not one of them. *err: 0 or a negative errno. */
bool sock_helper_result(struct types_env *env, struct verifier_state *st,
			const struct helper_call *call, struct reg_state *r0, int *err);

/* A context field holding a socket: true with dst typed, else false. */
bool sock_ctx_field(struct types_env *env, const struct ctx_rewrite *rewrite,
		    struct reg_state *dst);

/* The argument type of helper `call` at regno for this program: the
 * prototype's, save where the kernel gives a program type a helper of its
 * own (sk_lookup's bpf_sk_assign takes a full socket or NULL). */
enum helper_arg sock_helper_arg(const struct types_env *env, const struct helper_call *call,
				uint8_t regno);

#endif
