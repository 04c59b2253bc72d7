/* Loads through kernel objects typed by the kernel's BTF (btf_walk.c): the
 * kernel's check_ptr_to_btf_access and btf_struct_walk. */
#ifndef BPFVM_VERIFIER_BTF_WALK_H
#define BPFVM_VERIFIER_BTF_WALK_H

#include <stdbool.h>
#include <stdint.h>

#include "verifier/types_env.h"

/* A load (dst set: a scalar, or a kernel object for a pointer field) or a
 * store (refused) of `size` bytes at `off` (the pointer's fixed offset
 * included) through regno, a REG_PTR_TO_BTF_ID with a btf_id. 0, or the
 * kernel's refusal. */
int btf_walk_access(struct types_env *env, uint32_t idx, uint8_t regno,
		    const struct reg_state *reg, int32_t off, uint32_t size, bool write,
		    struct reg_state *dst);

/* btf_struct_ids_match: whether the object at `off` of struct `id` is a
 * struct `want` or begins with one (a sock is a sock_common). */
bool btf_walk_ids_match(uint32_t id, int32_t off, uint32_t want);

#endif
