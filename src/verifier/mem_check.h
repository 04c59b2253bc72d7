/* Memory bounds: what a pointer may reach, for the accesses of loads,
 * stores, atomics (types_mem.c) and helpers (types_check_helper_mem), as
 * the kernel's check_mem_access, check_stack_access_within_bounds,
 * check_mem_region_access, check_map_access and check_packet_access.
 *
 *   pointer            reaches                       refused with
 *   stack              fp-512 .. fp-1                invalid write to stack R1 off=-520 size=8
 *   map value          0 .. value_size               invalid access to map value, ...
 *   pkt, pkt_meta      0 .. range (learned)          invalid access to packet, ...
 *   mem, ringbuf_mem   0 .. mem_size                 invalid access to memory, ...
 *   anything else      nothing                       R1 invalid mem access 'scalar'
 *
 * An access covers [off + the variable part's smin, off + umax + size): the
 * bounds come from the pointer's ranges and its tnum, whichever is tighter.
 *
 * bpfvm verifies as the kernel does for a privileged loader (CAP_BPF,
 * CAP_PERFMON: what `bpftool prog load` as root gets): pointers may be
 * stored to memory, and stack bytes never written may be read (the kernel's
 * allow_ptr_leaks and allow_uninit_stack). */
#ifndef BPFVM_VERIFIER_MEM_CHECK_H
#define BPFVM_VERIFIER_MEM_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "verifier/types_env.h"

/* Program types whose context is typed by the target's BTF (fentry, lsm,
 * struct_ops, freplace). */
bool mem_btf_typed_context(const struct bpfvm_prog *prog);
/* Whether the kernel's BTF names the target of such a program, which types
 * its arguments (progtypes/btf_ctx.h); if not, they are scalars. */
bool mem_btf_target_known(const struct bpfvm_prog *prog);

/* The kernel's BPF_MAX_VAR_OFF and MAX_PACKET_OFF. */
#define MEM_MAX_VAR_OFF (1ll << 29)
#define MEM_MAX_PACKET_OFF 0xffff

/* reg->range of a packet pointer known to be at data_end, or beyond it (the
 * kernel's AT_PKT_END, BEYOND_PKT_END): no byte is accessible. */
#define PKT_RANGE_AT_END (-1)
#define PKT_RANGE_BEYOND_END (-2)

static inline bool pkt_range_is_end(int32_t range)
{
	return range < 0;
}

/* The variable part of a pointer's offset (or a scalar), bounded by both
 * its ranges and its tnum. */
struct var_bounds {
	int64_t smin, smax;
	uint64_t umin, umax;
};

struct var_bounds mem_var_bounds(const struct reg_state *reg);

/* A tnum as the kernel's tnum_strn prints it in these messages. */
void mem_format_var_off(char *buf, size_t size, struct tnum var_off);

/* An access of `size` bytes at `off` (the pointer's fixed offset included)
 * through an iterator's key or value buffer (REG_PTR_TO_BUF,
 * REG_PTR_TO_RDONLY_BUF), as the kernel's check_buffer_access: the key is
 * never written, the offset is constant and not negative; the furthest
 * byte is recorded for the attach (mem_buf.c). */
int mem_check_buffer(struct types_env *env, uint32_t idx, uint8_t regno,
		     const struct reg_state *reg, int32_t off, uint32_t size, bool write);

/* Whether the program was loaded with BPF_F_STRICT_ALIGNMENT (and not
 * BPF_F_ANY_ALIGNMENT). */
bool mem_strict_alignment(const struct types_env *env);

/* The kernel's check_ptr_alignment: stack accesses must be aligned to
 * their size; others only when `strict` (atomics) or the program asked for
 * strict alignment (packets as if they started 2 bytes into an aligned
 * buffer, NET_IP_ALIGN). */
int mem_check_alignment(struct types_env *env, uint32_t idx, const struct reg_state *reg,
			int32_t off, uint32_t size, bool strict);

/* The kernel's check_stack_access_within_bounds for an access of `size`
 * bytes at `off` (the pointer's fixed offset included) through register
 * regno into `frame`: the bytes [*min_off, *max_off) relative to the frame
 * pointer it may touch. The frame's subprogram then needs at least -*min_off
 * bytes of stack (the kernel's update_stack_depth): a callee may reach
 * deeper into its caller's frame than the caller itself does. */
int mem_check_stack_bounds(struct types_env *env, uint32_t idx, uint8_t regno,
			   const struct func_state *frame, const struct reg_state *reg, int32_t off,
			   uint32_t size, bool write, int64_t *min_off, int64_t *max_off);

/* A load (write false, dst the register loaded) or store (write true, dst
 * NULL) of `size` bytes at `off` (the pointer's fixed offset included)
 * through register regno, which holds anything but the context or a stack
 * pointer (types_mem.c handles those). A load sets dst. */
int mem_check_access(struct types_env *env, uint32_t idx, uint8_t regno,
		     const struct reg_state *reg, int32_t off, uint32_t size, bool write,
		     struct reg_state *dst);

/* The kernel's may_access_direct_pkt_data for this program's type. */
bool mem_may_write_packet(const struct types_env *env);

#endif
