/* Kernel objects that bpfvm keeps opaque (kernel_obj.h). Which object a
 * REG_PTR_TO_KERNEL_OBJ is follows from the program type: a flow
 * dissector's only one is its flow keys (__sk_buff.flow_keys), a writable
 * raw tracepoint's its buffer (the context's first slot); the other
 * program types reach sockets. Bpfvm refuses arithmetic on all of them
 * (types_alu.c), so the fixed offset is the access's whole offset. */
#include <errno.h>
#include <linux/bpf.h>

#include "verifier/kernel_obj.h"
#include "verifier/reg_state.h"

/* check_flow_keys_access: inside struct bpf_flow_keys, read or written. */
static int flow_keys_access(struct types_env *env, uint32_t idx, int32_t off, uint32_t size)
{
	if (off < 0 || (uint64_t)off + size > sizeof(struct bpf_flow_keys))
		return types_error(env, idx, -EACCES, "invalid access to flow keys off=%d size=%u",
				   off, size);
	return 0;
}

/* check_tp_buffer_access: not below the buffer. Its end is the
 * tracepoint's, checked by the kernel at attach (max_tp_access); bpfvm has
 * no writable tracepoints to attach to. */
static int tp_buffer_access(struct types_env *env, uint32_t idx, uint8_t regno, int32_t off,
			    uint32_t size)
{
	if (off < 0)
		return types_error(env, idx, -EACCES,
				   "R%u invalid tracepoint buffer access: off=%d, size=%u", regno,
				   off, size);
	return 0;
}

int kernel_obj_access(struct types_env *env, uint32_t idx, uint8_t regno,
		      const struct reg_state *reg, int32_t off, uint32_t size, bool write)
{
	char name[32];

	switch (env->prog->type) {
	case BPF_PROG_TYPE_FLOW_DISSECTOR:
		return flow_keys_access(env, idx, off, size);
	case BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE:
		return tp_buffer_access(env, idx, regno, off, size);
	default:
		break;
	}
	/* A socket: the kernel never lets a program store into one. Its
	 * fields are the kernel's check_sock_access; bpfvm reads them as
	 * data. */
	if (write)
		return types_error(env, idx, -EACCES, "R%u cannot write into %s", regno,
				   reg_name(reg, name, sizeof(name)));
	return 0;
}
