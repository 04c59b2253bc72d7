/* A helper call under verification, shared by the files that check it:
 *
 *   types_helper.c   the call: program type, arguments, r0, callbacks
 *   helper_args.c    each argument against the prototype (check_func_arg)
 *   helper_maps.c    the maps a helper may take (check_map_func_compatibility)
 *   refs.c           references and locks acquired and released
 */
#ifndef BPFVM_VERIFIER_HELPER_CALL_H
#define BPFVM_VERIFIER_HELPER_CALL_H

#include <stdbool.h>
#include <stdint.h>

#include "helpers/helper_proto.h"
#include "verifier/types_env.h"

/* What the verifier knows of a map that a register refers to: the map of
 * prog->maps, or for an inner map (REG_MAP_INNER) its outer map's template. */
struct map_desc {
	struct bpfvm_map *map; /* NULL for an inner map */
	uint32_t type;	       /* enum bpf_map_type */
	uint32_t key_size, value_size, max_entries, map_flags;
	int32_t spin_lock_off; /* -1: the value has no bpf_spin_lock */
};

/* What the arguments have taught (the kernel's struct bpf_call_arg_meta). */
struct helper_call {
	uint32_t idx;			 /* the call instruction */
	/* A helper id (enum bpf_func_id), or KFUNC_PROTO_ID for a kfunc: a
	 * kfunc's own id (its imm) is in another space and may equal a
	 * helper's, so it never goes here. */
	int32_t func_id;
	const char *name;		 /* "bpf_map_lookup_elem" */
	const struct helper_proto *proto;
	bool has_map;			 /* an ARG_CONST_MAP_PTR was passed */
	uint32_t map;			 /* its reg->map */
	struct map_desc desc;
	uint32_t ref_obj_id;		 /* of the argument that carries a reference */
	uint8_t release_regno;		 /* the argument released, 0: none */
	uint64_t mem_size;		 /* ARG_CONST_ALLOC_SIZE_OR_ZERO's value */
	uint64_t msize_max;		 /* an ARG_CONST_SIZE(_OR_ZERO)'s largest value */
	int64_t const_key;		 /* an array's key known on the stack, or -1 */
};

/* The map that reg->map names; false if it names none that the verifier
 * knows. */
bool helper_map_desc(const struct types_env *env, uint32_t map, struct map_desc *desc);

/* helper_args.c: every argument of call->proto, r1 to r5, in order. 0 or a
 * negative errno with the kernel's message. */
int helper_check_args(struct types_env *env, struct verifier_state *st, struct helper_call *call);

/* helper_retval.c: r0, a scalar, bounded as the kernel's
 * do_refine_retval_range bounds it for the helpers that return a length of
 * what they wrote (at most call->msize_max, or a negative errno). */
void helper_refine_retval(const struct helper_call *call, struct reg_state *r0);

/* helper_maps.c: whether call->func_id may take the map it was given, both
 * ways (a prog array only for tail calls, tail calls only a prog array). */
int helper_check_map_compat(struct types_env *env, const struct helper_call *call);

#endif
