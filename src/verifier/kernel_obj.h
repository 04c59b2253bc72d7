/* Accesses through the kernel objects that bpfvm keeps opaque
 * (REG_PTR_TO_KERNEL_OBJ): a flow dissector's flow keys, a writable raw
 * tracepoint's buffer, and the sockets of the contexts until they get
 * types of their own. */
#ifndef BPFVM_VERIFIER_KERNEL_OBJ_H
#define BPFVM_VERIFIER_KERNEL_OBJ_H

#include <stdbool.h>
#include <stdint.h>

#include "verifier/types_env.h"

/* A load or store of `size` bytes at `off` (the pointer's fixed offset
 * included) through regno, a REG_PTR_TO_KERNEL_OBJ: 0, or the kernel's
 * refusal (check_mem_access's PTR_TO_FLOW_KEYS, PTR_TO_TP_BUFFER and
 * socket branches). */
int kernel_obj_access(struct types_env *env, uint32_t idx, uint8_t regno,
		      const struct reg_state *reg, int32_t off, uint32_t size, bool write);

#endif
