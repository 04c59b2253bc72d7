/* Memory bounds: the accesses that a load, a store or a helper makes
 * through a pointer, checked against what the pointer may reach (stack,
 * packet, map value, helper memory, ring buffer record), as the kernel's
 * check_mem_access and check_helper_mem_access (see mem_check.h). */
#include "verifier/mem_check.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "maps/map.h"
#include "progtypes/btf_ctx.h"
#include "verifier/btf_walk.h"
#include "verifier/kernel_obj.h"
#include "verifier/types_sock.h"

struct var_bounds mem_var_bounds(const struct reg_state *reg)
{
	struct tnum t = reg->var_off;
	struct var_bounds b = {
		.umin = t.value,
		.umax = t.value | t.mask,
		.smin = (int64_t)(t.value | (t.mask & (1ull << 63))),
		.smax = (int64_t)(t.value | (t.mask & ~(1ull << 63))),
	};

	/* Ranges that say "constant" about a tnum that is not were never
	 * maintained (a pointer moved by a scalar before the scalar part
	 * tracks ranges): the tnum alone is what is known. */
	if (!tnum_is_const(t) && reg->umin == reg->umax && reg->smin == reg->smax)
		return b;
	if (reg->umin > b.umin)
		b.umin = reg->umin;
	if (reg->umax < b.umax)
		b.umax = reg->umax;
	if (reg->smin > b.smin)
		b.smin = reg->smin;
	if (reg->smax < b.smax)
		b.smax = reg->smax;
	return b;
}

void mem_format_var_off(char *buf, size_t size, struct tnum var_off)
{
	if (tnum_is_const(var_off))
		snprintf(buf, size, "%" PRId64, (int64_t)var_off.value);
	else
		tnum_format(buf, size, var_off);
}

/* ---- Alignment ---------------------------------------------------------- */

/* BPF_F_STRICT_ALIGNMENT at load: every access aligned to its size, as on
 * an architecture without efficient unaligned access. x86 is not one: the
 * kernel there, and bpfvm, are lenient unless asked. BPF_F_ANY_ALIGNMENT
 * wins over it (the kernel's bpf_check). */
bool mem_strict_alignment(const struct types_env *env)
{
	uint32_t flags = env->prog->prog_flags;

	return (flags & BPF_F_STRICT_ALIGNMENT) && !(flags & BPF_F_ANY_ALIGNMENT);
}

static const char *alignment_desc(const struct reg_state *reg)
{
	switch (reg_base_type(reg)) {
	case REG_PTR_TO_MAP_VALUE: return "value ";
	case REG_PTR_TO_CTX: return "context ";
	case REG_PTR_TO_STACK: return "stack ";
	case REG_PTR_TO_SOCKET: return "sock ";
	case REG_PTR_TO_SOCK_COMMON: return "sock_common ";
	case REG_PTR_TO_TCP_SOCK: return "tcp_sock ";
	default: return "";
	}
}

int mem_check_alignment(struct types_env *env, uint32_t idx, const struct reg_state *reg,
			int32_t off, uint32_t size, bool strict)
{
	enum reg_type type = reg_base_type(reg);
	bool pkt = type == REG_PTR_TO_PACKET || type == REG_PTR_TO_PACKET_META;
	/* Packet data starts 2 bytes into an aligned buffer (NET_IP_ALIGN),
	 * which the kernel's strict mode emulates. */
	int32_t ip_align = pkt ? 2 : 0;
	char tn[48];

	if (type == REG_PTR_TO_STACK || mem_strict_alignment(env)) /* spills and fills assume it */
		strict = true;
	if (!strict || size == 1)
		return 0;
	if (tnum_is_aligned(tnum_add(reg->var_off, tnum_const((uint64_t)(int64_t)(ip_align +
								reg->off + off))), size))
		return 0;
	mem_format_var_off(tn, sizeof(tn), reg->var_off);
	if (pkt)
		return types_error(env, idx, -EACCES, "misaligned packet access off %d+%s+%d+%d size %u",
				   ip_align, tn, reg->off, off, size);
	return types_error(env, idx, -EACCES, "misaligned %saccess off %s+%d+%d size %u",
			   alignment_desc(reg), tn, reg->off, off, size);
}

/* ---- Stack -------------------------------------------------------------- */

int mem_check_stack_bounds(struct types_env *env, uint32_t idx, uint8_t regno,
			   const struct func_state *frame, const struct reg_state *reg, int32_t off,
			   uint32_t size, bool write, int64_t *min_off, int64_t *max_off)
{
	const char *what = write ? " write to" : " read from";
	char tn[48];
	int err;

	if (tnum_is_const(reg->var_off)) {
		*min_off = (int64_t)reg->var_off.value + off;
		*max_off = *min_off + size;
	} else {
		struct var_bounds b = mem_var_bounds(reg);

		if (b.smax >= MEM_MAX_VAR_OFF || b.smin <= -MEM_MAX_VAR_OFF)
			return types_error(env, idx, -EACCES,
					   "invalid unbounded variable-offset%s stack R%u", what, regno);
		*min_off = b.smin + off;
		*max_off = b.smax + off + size;
	}
	/* A privileged program may read stack it never wrote (the kernel's
	 * allow_uninit_stack): reads and writes share the bounds. */
	if (*min_off >= -ISA_MAX_STACK && *max_off <= 0) {
		if (*min_off < 0 && (uint32_t)-*min_off > env->stack_used[frame->subprog])
			env->stack_used[frame->subprog] = (uint32_t)-*min_off;
		return 0;
	}
	/* The kernel's errno: -EACCES when the lowest byte is outside the
	 * stack (check_stack_slot_within_bounds), -EINVAL when only the end
	 * reaches at or above r10. */
	err = *min_off < -ISA_MAX_STACK || *min_off > -1 ? -EACCES : -EINVAL;
	if (tnum_is_const(reg->var_off))
		return types_error(env, idx, err, "invalid%s stack R%u off=%d size=%u", what, regno,
				   off, size);
	mem_format_var_off(tn, sizeof(tn), reg->var_off);
	return types_error(env, idx, err,
			   "invalid variable-offset%s stack R%u var_off=%s off=%d size=%u", what, regno,
			   tn, off, size);
}

/* ---- Regions: map values, helper memory, packets ------------------------ */

/* The kernel's __check_mem_access: [off, off + size) inside [0, mem_size).
 * `then` is the kernel's second line, which says which bound failed. */
static int region_error(struct types_env *env, uint32_t idx, uint8_t regno,
			const struct reg_state *reg, int32_t off, uint32_t size, uint32_t mem_size,
			const char *then)
{
	switch (reg_base_type(reg)) {
	case REG_PTR_TO_MAP_VALUE:
		return types_error(env, idx, -EACCES,
				   "invalid access to map value, value_size=%u off=%d size=%u\n%s",
				   mem_size, off, size, then);
	case REG_PTR_TO_PACKET:
	case REG_PTR_TO_PACKET_META:
		return types_error(env, idx, -EACCES,
				   "invalid access to packet, off=%d size=%u, R%u(id=%u,off=%d,r=%u)\n%s",
				   off, size, regno, reg->id, off, mem_size, then);
	default:
		return types_error(env, idx, -EACCES,
				   "invalid access to memory, mem_size=%u off=%d size=%u\n%s", mem_size,
				   off, size, then);
	}
}

static bool region_fits(int32_t off, uint32_t size, uint32_t mem_size, bool zero_size_allowed)
{
	return off >= 0 && (size > 0 || zero_size_allowed) && (uint64_t)off + size <= mem_size;
}

/* The kernel's check_mem_region_access: both ends of the variable part. */
static int check_region(struct types_env *env, uint32_t idx, uint8_t regno,
			const struct reg_state *reg, int32_t off, uint32_t size, uint32_t mem_size,
			bool zero_size_allowed)
{
	struct var_bounds b = mem_var_bounds(reg);
	char then[96];

	if (b.smin < 0 && (b.smin == INT64_MIN || off + b.smin != (int64_t)(int32_t)(off + b.smin) ||
			   b.smin + off < 0))
		return types_error(env, idx, -EACCES,
				   "R%u min value is negative, either use unsigned index or do a if (index >=0) check.",
				   regno);
	if (!region_fits((int32_t)(b.smin + off), size, mem_size, zero_size_allowed)) {
		snprintf(then, sizeof(then), "R%u min value is outside of the allowed memory range",
			 regno);
		return region_error(env, idx, regno, reg, (int32_t)(b.smin + off), size, mem_size,
				    then);
	}
	if (b.umax >= (uint64_t)MEM_MAX_VAR_OFF)
		return types_error(env, idx, -EACCES,
				   "R%u unbounded memory access, make sure to bounds check any such access",
				   regno);
	if (!region_fits((int32_t)(b.umax + off), size, mem_size, zero_size_allowed)) {
		snprintf(then, sizeof(then), "R%u max value is outside of the allowed memory range",
			 regno);
		return region_error(env, idx, regno, reg, (int32_t)(b.umax + off), size, mem_size,
				    then);
	}
	return 0;
}

/* What a map value pointer's map says: an inner map's value (a lookup in a
 * map of maps, reg->map out of prog->maps) is the template's, the smallest
 * if the program has several maps of maps. */
struct value_info {
	struct bpfvm_map *map; /* NULL for an inner map */
	uint32_t value_size;
	uint32_t flags;
	int32_t spin_lock_off; /* -1: none */
};

static struct value_info value_info(const struct types_env *env, const struct reg_state *reg)
{
	const struct bpfvm_prog *prog = env->prog;
	struct value_info info = { .spin_lock_off = -1 };
	bool seen = false;

	if (reg->map < prog->map_cnt) {
		info.map = prog->maps[reg->map];
		info.value_size = map_value_size(info.map);
		info.flags = map_flags(info.map);
		info.spin_lock_off = info.map->region->spin_lock_off;
		return info;
	}
	for (uint32_t i = 0; i < prog->map_cnt; i++) {
		const struct map_region *r = prog->maps[i]->region;

		if (r->type != BPF_MAP_TYPE_ARRAY_OF_MAPS && r->type != BPF_MAP_TYPE_HASH_OF_MAPS)
			continue;
		if (!seen || r->inner_value_size < info.value_size)
			info.value_size = r->inner_value_size;
		info.flags |= r->inner_map_flags;
		if (r->inner_spin_lock_off >= 0)
			info.spin_lock_off = r->inner_spin_lock_off;
		seen = true;
	}
	return info;
}

/* The kernel's check_map_access_type: BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG. */
static int check_map_access_type(struct types_env *env, uint32_t idx, const struct value_info *v,
				 int32_t off, uint32_t size, bool write)
{
	if (write && (v->flags & BPF_F_RDONLY_PROG))
		return types_error(env, idx, -EACCES,
				   "write into map forbidden, value_size=%u off=%d size=%u",
				   v->value_size, off, size);
	if (!write && (v->flags & BPF_F_WRONLY_PROG))
		return types_error(env, idx, -EACCES,
				   "read from map forbidden, value_size=%u off=%d size=%u",
				   v->value_size, off, size);
	return 0;
}

/* The kernel's check_map_access: the value's bounds, and its bpf_spin_lock
 * that only the lock helpers touch. */
static int check_map_value(struct types_env *env, uint32_t idx, uint8_t regno,
			   const struct reg_state *reg, const struct value_info *v, int32_t off,
			   uint32_t size, bool zero_size_allowed)
{
	struct var_bounds b = mem_var_bounds(reg);
	int err = check_region(env, idx, regno, reg, off, size, v->value_size, zero_size_allowed);
	int64_t lock = v->spin_lock_off;

	if (err)
		return err;
	if (lock >= 0 && b.smin + off < lock + 4 && lock < (int64_t)b.umax + off + size)
		return types_error(env, idx, -EACCES,
				   "bpf_spin_lock cannot be accessed directly by load/store");
	return 0;
}

/* The kernel's check_packet_access: the fixed offset within the range that
 * comparisons with data_end proved. */
static int check_packet(struct types_env *env, uint32_t idx, uint8_t regno,
			const struct reg_state *reg, int32_t off, uint32_t size,
			bool zero_size_allowed)
{
	struct var_bounds b = mem_var_bounds(reg);

	if (b.smin < 0)
		return types_error(env, idx, -EACCES,
				   "R%u min value is negative, either use unsigned index or do a if (index >=0) check.",
				   regno);
	if (pkt_range_is_end(reg->range)) /* -EINVAL, as the kernel's check_packet_access */
		return types_error(env, idx, -EINVAL, "R%u offset is outside of the packet", regno);
	if (!region_fits(off, size, (uint32_t)reg->range, zero_size_allowed)) {
		char then[64];

		snprintf(then, sizeof(then), "R%u offset is outside of the packet", regno);
		return region_error(env, idx, regno, reg, off, size, (uint32_t)reg->range, then);
	}
	return 0;
}

bool mem_may_write_packet(const struct types_env *env)
{
	switch (env->prog->type) {
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_XDP:
	case BPF_PROG_TYPE_LWT_XMIT:
	case BPF_PROG_TYPE_SK_SKB:
	case BPF_PROG_TYPE_SK_MSG:
	case BPF_PROG_TYPE_CGROUP_SOCKOPT:
		return true;
	default: /* lwt_in/out/seg6local, sk_reuseport, flow_dissector, cgroup_skb: read only */
		return false;
	}
}

/* A load from a frozen read-only map (.rodata) at a constant offset reads
 * the value itself, as the kernel's bpf_map_direct_read: branches on
 * configuration constants are then decided. */
static bool read_rodata(const struct value_info *v, const struct reg_state *reg, int32_t off,
			uint32_t size, uint64_t *value)
{
	void *addr;

	if (!v->map || !(v->flags & BPF_F_RDONLY_PROG) || !v->map->region->frozen ||
	    !tnum_is_const(reg->var_off) || !v->map->ops->direct_value_addr)
		return false;
	if (v->map->ops->direct_value_addr(v->map, 0, &addr))
		return false;
	addr = (uint8_t *)addr + off + (int64_t)reg->var_off.value;
	/* The offset need not be aligned to the size: copy the bytes. */
	switch (size) {
	case 1: { uint8_t v8; memcpy(&v8, addr, 1); *value = v8; return true; }
	case 2: { uint16_t v16; memcpy(&v16, addr, 2); *value = v16; return true; }
	case 4: { uint32_t v32; memcpy(&v32, addr, 4); *value = v32; return true; }
	case 8: memcpy(value, addr, 8); return true;
	}
	return false;
}

static int map_value_access(struct types_env *env, uint32_t idx, uint8_t regno,
			    const struct reg_state *reg, int32_t off, uint32_t size, bool write,
			    struct reg_state *dst)
{
	struct value_info v = value_info(env, reg);
	uint64_t value;
	int err = check_map_access_type(env, idx, &v, off, size, write);

	if (!err)
		err = check_map_value(env, idx, regno, reg, &v, off, size, false);
	if (err || !dst)
		return err;
	if (read_rodata(&v, reg, off, size, &value))
		reg_mark_const(dst, value);
	else
		reg_mark_unknown(dst);
	return 0;
}

/* Program types whose context is typed by the target's BTF (fentry, lsm,
 * struct_ops, freplace). */
bool mem_btf_typed_context(const struct bpfvm_prog *prog)
{
	switch (prog->type) {
	case BPF_PROG_TYPE_TRACING:
	case BPF_PROG_TYPE_LSM:
	case BPF_PROG_TYPE_STRUCT_OPS:
	case BPF_PROG_TYPE_EXT:
		return true;
	default:
		return false;
	}
}

/* Whether the program's arguments are typed by its target's BTF. */
bool mem_btf_target_known(const struct bpfvm_prog *prog)
{
	struct btf_target target;

	return btf_ctx_target(prog, &target);
}

static int invalid_mem_access(struct types_env *env, uint32_t idx, uint8_t regno,
			      const struct reg_state *reg)
{
	char name[32];

	return types_error(env, idx, -EACCES, "R%u invalid mem access '%s'", regno,
			   reg_name(reg, name, sizeof(name)));
}

/* check_ptr_to_btf_access: the field from the kernel's BTF (btf_walk.c);
 * without it (btf_id 0), reads are not checked. The kernel's loads there
 * are fault-safe (PROBE_MEM); bpfvm's are not, and its task is the
 * thread's handle: only programs that never run here (BTF-typed ones) may
 * read through it; the others read with bpf_probe_read_kernel. */
static int btf_id_access(struct types_env *env, uint32_t idx, uint8_t regno,
			 const struct reg_state *reg, int32_t off, uint32_t size, bool write,
			 struct reg_state *dst)
{
	/* No netfilter hooks in bpfvm: such a program never runs here. */
	bool runs = !mem_btf_typed_context(env->prog) &&
		    env->prog->type != (enum bpf_prog_type)PROGTYPE_NETFILTER &&
		    !(reg->btf_flags & BTF_PTR_NO_OBJECT);
	int err;

	if ((reg->btf_flags & BTF_PTR_MEM) && write)
		return types_error(env, idx, -EACCES, "R%u cannot write into rdonly_untrusted_mem",
				   regno);
	if (reg->btf_id)
		err = btf_walk_access(env, idx, regno, reg, off, size, write, runs ? NULL : dst);
	else if (write)
		err = types_error(env, idx, -EACCES, "only read is supported");
	else
		err = 0;
	if (!err && runs)
		return types_error(env, idx, -EOPNOTSUPP, "R%u: bpfvm reads a kernel object "
				   "(a task) only through bpf_probe_read_kernel outside BTF-typed "
				   "programs", regno);
	if (!err && !reg->btf_id && dst)
		reg_mark_unknown(dst);
	return err;
}

int mem_check_access(struct types_env *env, uint32_t idx, uint8_t regno,
		     const struct reg_state *reg, int32_t off, uint32_t size, bool write,
		     struct reg_state *dst)
{
	int err;

	if (reg->type & REG_MAYBE_NULL)
		return invalid_mem_access(env, idx, regno, reg);
	switch (reg_base_type(reg)) {
	case REG_PTR_TO_MAP_VALUE:
		return map_value_access(env, idx, regno, reg, off, size, write, dst);
	case REG_PTR_TO_MEM:
	case REG_PTR_TO_RINGBUF_MEM:
		err = check_region(env, idx, regno, reg, off, size, reg->mem_size, false);
		break;
	case REG_PTR_TO_PACKET:
	case REG_PTR_TO_PACKET_META:
		if (write && !mem_may_write_packet(env))
			return types_error(env, idx, -EACCES, "cannot write into packet");
		err = check_packet(env, idx, regno, reg, off, size, false);
		break;
	case REG_PTR_TO_KERNEL_OBJ:
		err = kernel_obj_access(env, idx, regno, reg, off, size, write);
		break;
	case REG_PTR_TO_BTF_ID:
		return btf_id_access(env, idx, regno, reg, off, size, write, dst);
	case REG_PTR_TO_SOCKET:
	case REG_PTR_TO_SOCK_COMMON:
	case REG_PTR_TO_TCP_SOCK:
		return sock_check_access(env, idx, regno, reg, off, size, write, dst);
	case REG_PTR_TO_BUF:
	case REG_PTR_TO_RDONLY_BUF:
		err = mem_check_buffer(env, idx, regno, reg, off, size, write);
		break;
	case REG_SCALAR:
		/* An argument of a BTF-typed program whose target bpfvm cannot
		 * find in the kernel's BTF (none, struct_ops, freplace): a
		 * scalar standing for what may be a pointer, read with
		 * fault-handling loads (PROBE_MEM) by the kernel. Such programs
		 * have no event source in bpfvm: they never run. */
		if (write || !mem_btf_typed_context(env->prog) || mem_btf_target_known(env->prog))
			return invalid_mem_access(env, idx, regno, reg);
		err = 0;
		break;
	default:
		return invalid_mem_access(env, idx, regno, reg);
	}
	if (!err && dst)
		reg_mark_unknown(dst);
	return err;
}

/* ---- Helpers' memory arguments ------------------------------------------- */

/* Stack bytes a helper reads or writes (the kernel's
 * check_stack_range_initialized): a privileged program may pass bytes it
 * never wrote; what a helper writes is data, spilled registers included. */
static int helper_stack_range(struct types_env *env, struct verifier_state *st, uint32_t idx,
			      uint8_t regno, const struct reg_state *reg, uint32_t size,
			      bool zero_size_allowed, bool write)
{
	struct func_state *frame = st->frames[reg->frameno];
	int64_t min_off, max_off;
	int err;

	if (size == 0 && !zero_size_allowed)
		return types_error(env, idx, -EACCES, "invalid zero-sized read");
	err = mem_check_stack_bounds(env, idx, regno, frame, reg, reg->off, size, write, &min_off,
				     &max_off);
	if (err || !write || size == 0)
		return err;
	return types_stack_write_var(env, idx, frame, min_off, max_off);
}

int types_check_helper_mem(struct types_env *env, struct verifier_state *st, uint32_t idx,
			   uint8_t regno, uint64_t min_size, uint64_t max_size, bool write)
{
	const struct reg_state *reg = &state_frame(st)->regs[regno];
	bool zero_size_allowed = min_size == 0;
	uint32_t size = max_size > UINT32_MAX ? UINT32_MAX : (uint32_t)max_size;
	struct value_info v;
	char name[32];
	int err;

	switch (reg->type) {
	case REG_PTR_TO_PACKET:
	case REG_PTR_TO_PACKET_META:
		return check_packet(env, idx, regno, reg, reg->off, size, zero_size_allowed);
	case REG_PTR_TO_MAP_VALUE:
		v = value_info(env, reg);
		err = check_map_access_type(env, idx, &v, reg->off, size, write);
		return err ? err : check_map_value(env, idx, regno, reg, &v, reg->off, size,
						   zero_size_allowed);
	case REG_PTR_TO_MEM:
	case REG_PTR_TO_RINGBUF_MEM:
		return check_region(env, idx, regno, reg, reg->off, size, reg->mem_size,
				    zero_size_allowed);
	case REG_PTR_TO_STACK:
		return helper_stack_range(env, st, idx, regno, reg, size, zero_size_allowed, write);
	case REG_PTR_TO_BUF:
	case REG_PTR_TO_RDONLY_BUF:
		return mem_check_buffer(env, idx, regno, reg, reg->off, size, write);
	default: /* scalars, NULL-able pointers, the context... */
		/* Nothing at all may be passed as NULL. */
		if (zero_size_allowed && size == 0 && reg_is_const(reg) && reg->var_off.value == 0)
			return 0;
		return types_error(env, idx, -EACCES, "R%u type=%s expected=fp", regno,
				   reg_name(reg, name, sizeof(name)));
	}
}
