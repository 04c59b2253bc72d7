/* Iterators' key and value buffers (the kernel's PTR_TO_BUF): the
 * bpf_map_elem, sockmap and sk_storage_map iterators see the element of the
 * map they are attached to, whose sizes the verifier does not know. As the
 * kernel's check_buffer_access, an access needs a constant offset that is
 * not negative, the key is read-only, and the furthest byte reached is
 * recorded (max_rdonly_access, max_rdwr_access) for the attach to compare
 * with the map's key and value sizes. */
#include <errno.h>

#include "verifier/mem_check.h"

int mem_check_buffer(struct types_env *env, uint32_t idx, uint8_t regno,
		     const struct reg_state *reg, int32_t off, uint32_t size, bool write)
{
	bool rdonly = reg_base_type(reg) == REG_PTR_TO_RDONLY_BUF;
	uint32_t *max_access = rdonly ? &env->max_rdonly_access : &env->max_rdwr_access;
	uint64_t end;
	char tn[48];

	if (rdonly && write)
		return types_error(env, idx, -EACCES, "R%u cannot write into rdonly_buf", regno);
	if (off < 0)
		return types_error(env, idx, -EACCES,
				   "R%u invalid %s buffer access: off=%d, size=%u", regno,
				   rdonly ? "rdonly" : "rdwr", off, size);
	if (!tnum_is_const(reg->var_off) || reg->var_off.value) {
		mem_format_var_off(tn, sizeof(tn), reg->var_off);
		return types_error(env, idx, -EACCES,
				   "R%u invalid variable buffer offset: off=%d, var_off=%s", regno,
				   off, tn);
	}
	end = (uint64_t)off + size;
	if (end > *max_access)
		*max_access = end > UINT32_MAX ? UINT32_MAX : (uint32_t)end;
	return 0;
}
