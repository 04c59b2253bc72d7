/* Each argument of a helper call against its prototype, as the kernel's
 * check_func_arg:
 *
 *   initialised?  ─► the register's type among those the argument takes
 *   (check_reg_type) ─► its offset (check_func_arg_reg_off) ─► what the
 *   argument means: a map (remembered for the key and value that follow),
 *   memory of the map's key or value size, memory whose size is the next
 *   argument, a constant size, a read-only string, a lock, a reference to
 *   release.
 *
 * The memory itself (stack bytes initialised, packet range, map value
 * bounds) is checked by types_check_helper_mem (mem_check.c). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "maps/map.h"
#include "helpers/kfunc_table.h"
#include "progtypes/btf_ctx.h"
#include "verifier/btf_walk.h"
#include "verifier/helper_call.h"
#include "verifier/mem_check.h"
#include "verifier/refs.h"
#include "verifier/types_sock.h"

/* The kernel's BPF_MAX_VAR_SIZ: the largest size a helper may be given. */
#define HELPER_MAX_VAR_SIZE (1ull << 29)

/* The register types an argument takes, and how the kernel lists them. */
struct arg_types {
	uint32_t types; /* bits (1 << enum reg_type) */
	const char *expected;
};

#define TYPE_BIT(t) (1u << (t))

/* The kernel's mem_types (and map_key_value_types): the bpfvm types among
 * them, the kernel's list of names. */
static const struct arg_types mem_types = {
	TYPE_BIT(REG_PTR_TO_STACK) | TYPE_BIT(REG_PTR_TO_PACKET) |
		TYPE_BIT(REG_PTR_TO_PACKET_META) | TYPE_BIT(REG_PTR_TO_MAP_VALUE) |
		TYPE_BIT(REG_PTR_TO_MEM) | TYPE_BIT(REG_PTR_TO_RINGBUF_MEM) |
		TYPE_BIT(REG_PTR_TO_BUF) | TYPE_BIT(REG_PTR_TO_RDONLY_BUF),
	"fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_",
};

static const struct arg_types *arg_types_of(enum helper_arg arg)
{
	static const struct arg_types ctx = { TYPE_BIT(REG_PTR_TO_CTX), "ctx" };
	static const struct arg_types map_ptr = { TYPE_BIT(REG_CONST_PTR_TO_MAP), "map_ptr" };
	static const struct arg_types scalar = { TYPE_BIT(REG_SCALAR), "scalar" };
	static const struct arg_types map_value = { TYPE_BIT(REG_PTR_TO_MAP_VALUE), "map_value" };
	static const struct arg_types func = { TYPE_BIT(REG_PTR_TO_FUNC), "func" };
	static const struct arg_types stack = { TYPE_BIT(REG_PTR_TO_STACK), "fp" };
	static const struct arg_types spin_lock = { TYPE_BIT(REG_PTR_TO_MAP_VALUE),
						    "map_value, ptr_" };
	static const struct arg_types ringbuf = { TYPE_BIT(REG_PTR_TO_RINGBUF_MEM),
						  "ringbuf_mem" };
	static const struct arg_types btf_id = {
		TYPE_BIT(REG_PTR_TO_KERNEL_OBJ) | TYPE_BIT(REG_PTR_TO_BTF_ID),
		"ptr_, trusted_ptr_, rcu_ptr_"
	};
	/* btf_id_sock_common_types, sock_types and fullsock_types */
	static const struct arg_types sock_common = {
		TYPE_BIT(REG_PTR_TO_SOCK_COMMON) | TYPE_BIT(REG_PTR_TO_SOCKET) |
			TYPE_BIT(REG_PTR_TO_TCP_SOCK) | TYPE_BIT(REG_PTR_TO_BTF_ID),
		"sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_"
	};
	static const struct arg_types sock = {
		TYPE_BIT(REG_PTR_TO_SOCK_COMMON) | TYPE_BIT(REG_PTR_TO_SOCKET) |
			TYPE_BIT(REG_PTR_TO_TCP_SOCK),
		"sock_common, sock, tcp_sock, xdp_sock"
	};
	static const struct arg_types fullsock = { TYPE_BIT(REG_PTR_TO_SOCKET), "sock" };

	switch (arg) {
	case ARG_PTR_TO_CTX:
	case ARG_PTR_TO_CTX_OR_NULL:
		return &ctx;
	case ARG_CONST_MAP_PTR:
		return &map_ptr;
	case ARG_CONST_SIZE:
	case ARG_CONST_SIZE_OR_ZERO:
	case ARG_CONST_ALLOC_SIZE_OR_ZERO:
		return &scalar;
	case ARG_PTR_TO_CONST_STR:
		return &map_value;
	case ARG_PTR_TO_FUNC:
		return &func;
	case ARG_PTR_TO_STACK_OR_NULL:
		return &stack;
	case ARG_PTR_TO_SPIN_LOCK:
		return &spin_lock;
	case ARG_PTR_TO_RINGBUF_MEM:
		return &ringbuf;
	case ARG_PTR_TO_BTF_ID_OR_NULL:
	case ARG_PTR_TO_BTF_ID:
		return &btf_id;
	case ARG_PTR_TO_BTF_ID_SOCK_COMMON:
	case ARG_PTR_TO_BTF_ID_SOCK_COMMON_RELEASE:
		return &sock_common;
	case ARG_PTR_TO_SOCK_COMMON:
		return &sock;
	case ARG_PTR_TO_SOCKET_OR_NULL:
		return &fullsock;
	default:
		return &mem_types;
	}
}

static bool arg_may_be_null(enum helper_arg arg)
{
	return arg == ARG_PTR_TO_MEM_OR_NULL || arg == ARG_PTR_TO_STACK_OR_NULL ||
	       arg == ARG_PTR_TO_CTX_OR_NULL || arg == ARG_PTR_TO_MAP_VALUE_OR_NULL ||
	       arg == ARG_PTR_TO_BTF_ID_OR_NULL || arg == ARG_PTR_TO_SOCKET_OR_NULL;
}

static bool arg_is_release(enum helper_arg arg)
{
	return arg == ARG_PTR_TO_RINGBUF_MEM || arg == ARG_PTR_TO_BTF_ID_SOCK_COMMON_RELEASE;
}

static bool reg_is_null(const struct reg_state *reg)
{
	return reg_is_const(reg) && reg->var_off.value == 0;
}

/* The struct an ARG_PTR_TO_BTF_ID argument of the helper wants (the
 * kernel's arg_btf_id), or NULL. */
static const char *arg_struct(int32_t func_id, enum helper_arg arg)
{
	if (arg == ARG_PTR_TO_BTF_ID_SOCK_COMMON || arg == ARG_PTR_TO_BTF_ID_SOCK_COMMON_RELEASE)
		return "sock_common";
	switch (func_id) {
	case BPF_FUNC_task_storage_get:
	case BPF_FUNC_task_storage_delete:
	case BPF_FUNC_get_task_stack:
	case BPF_FUNC_copy_from_user_task:
		return "task_struct";
	case BPF_FUNC_seq_write:
	case BPF_FUNC_seq_printf:
	case BPF_FUNC_seq_printf_btf:
		return "seq_file";
	case BPF_FUNC_inode_storage_get:
	case BPF_FUNC_inode_storage_delete:
		return "inode";
	default:
		return NULL;
	}
}

/* check_reg_type for a kernel object typed by BTF: the struct the helper
 * wants, or one that begins with it (btf_struct_ids_match). */
static int check_btf_struct(struct types_env *env, uint32_t idx, uint8_t regno,
			    const struct reg_state *reg, int32_t func_id, enum helper_arg arg)
{
	const char *want = arg_struct(func_id, arg);
	uint32_t want_id = want ? btf_ctx_find(want, BTF_KIND_STRUCT) : 0;
	const struct btf *btf = btf_ctx_kernel();

	if (reg_base_type(reg) != REG_PTR_TO_BTF_ID || !reg->btf_id || !want_id ||
	    btf_walk_ids_match(reg->btf_id, reg->off, want_id))
		return 0;
	return types_error(env, idx, -EACCES, "R%u is of type %s but %s is expected", regno,
			   btf_ctx_name(btf, reg->btf_id), want);
}

/* Untrusted kernel objects and memory go to no helper; read-only memory
 * (an iterator's key) only to the memory the helper only reads: the
 * kernel's MEM_RDONLY arguments, which bpfvm's ARG_PTR_TO_MEM(_OR_NULL)
 * stand for (map keys and values are not among them). */
static bool btf_flags_refused(const struct reg_state *reg, enum helper_arg arg)
{
	if (reg_base_type(reg) == REG_PTR_TO_RDONLY_BUF)
		return arg != ARG_PTR_TO_MEM && arg != ARG_PTR_TO_MEM_OR_NULL;
	return reg_base_type(reg) == REG_PTR_TO_BTF_ID && (reg->btf_flags & BTF_PTR_UNTRUSTED);
}

static int check_reg_type(struct types_env *env, uint32_t idx, uint8_t regno,
			  const struct reg_state *reg, int32_t func_id, enum helper_arg arg)
{
	const struct arg_types *want = arg_types_of(arg);
	uint16_t type = reg->type;
	char name[32];

	/* A kernel object argument that may be NULL takes a pointer that may
	 * be NULL (the kernel's PTR_MAYBE_NULL on both). */
	if (arg == ARG_PTR_TO_BTF_ID_OR_NULL || arg == ARG_PTR_TO_SOCKET_OR_NULL)
		type &= ~REG_MAYBE_NULL;
	/* The arguments of a BTF-typed program whose target bpfvm cannot find
	 * in the kernel's BTF are scalars: they stand for its kernel objects. */
	if ((arg == ARG_PTR_TO_BTF_ID_OR_NULL || arg == ARG_PTR_TO_BTF_ID_SOCK_COMMON ||
	     arg == ARG_PTR_TO_BTF_ID_SOCK_COMMON_RELEASE || arg == ARG_PTR_TO_BTF_ID) &&
	    type == REG_SCALAR && mem_btf_typed_context(env->prog) &&
	    !mem_btf_target_known(env->prog))
		return 0;
	/* cgroup_sock's socket is its context (bpf_sk_storage_get_cg_sock_proto
	 * takes ARG_PTR_TO_CTX there). */
	if (arg == ARG_PTR_TO_BTF_ID_SOCK_COMMON && env->prog->type == BPF_PROG_TYPE_CGROUP_SOCK)
		want = arg_types_of(ARG_PTR_TO_CTX);
	/* The type with its flags: a NULL-able pointer is none of these, nor
	 * an untrusted kernel object, nor read-only memory a helper may write. */
	if (type < REG_TYPE_COUNT && (want->types & TYPE_BIT(type)) && !btf_flags_refused(reg, arg))
		return check_btf_struct(env, idx, regno, reg, func_id, arg);
	return types_error(env, idx, -EACCES, "R%u type=%s expected=%s", regno,
			   reg_name(reg, name, sizeof(name)), want->expected);
}

/* check_func_arg_reg_off: the pointer types whose offsets a helper
 * follows; the others must point at their object's start. */
static int check_reg_off(struct types_env *env, uint32_t idx, uint8_t regno,
			 const struct reg_state *reg, enum helper_arg arg)
{
	char name[32], tn[48];

	if (arg_is_release(arg) && reg->off)
		return types_error(env, idx, -EINVAL,
				   "R%u must have zero offset when passed to release func or "
				   "trusted arg to kfunc", regno);
	switch (reg_base_type(reg)) {
	case REG_PTR_TO_STACK:
	case REG_PTR_TO_PACKET:
	case REG_PTR_TO_PACKET_META:
	case REG_PTR_TO_MAP_VALUE:
	case REG_PTR_TO_MEM:
	case REG_PTR_TO_BUF:
	case REG_PTR_TO_RDONLY_BUF:
	case REG_SCALAR:
		return 0;
	case REG_PTR_TO_BTF_ID:
		/* A fixed offset names a member (btf_struct_ids_match). */
		if (tnum_is_const(reg->var_off) && !reg->var_off.value && !arg_is_release(arg))
			return 0;
		break;
	case REG_PTR_TO_RINGBUF_MEM:
		if (!arg_is_release(arg))
			return 0;
		break;
	default:
		break;
	}
	reg_name(reg, name, sizeof(name));
	if (reg->off < 0)
		return types_error(env, idx, -EACCES, "negative offset %s ptr R%u off=%d disallowed",
				   name, regno, reg->off);
	if (reg->off)
		return types_error(env, idx, -EACCES,
				   "dereference of modified %s ptr R%u off=%d disallowed", name, regno,
				   reg->off);
	if (!tnum_is_const(reg->var_off) || reg->var_off.value) {
		tnum_format(tn, sizeof(tn), reg->var_off);
		return types_error(env, idx, -EACCES, "variable %s access var_off=%s disallowed",
				   name, tn);
	}
	return 0;
}

/* The map argument that must come before a key or value argument. */
static int need_map(struct types_env *env, const struct helper_call *call)
{
	if (call->has_map)
		return 0;
	return types_error(env, call->idx, -EFAULT, "helper %s#%d: invalid map_ptr to access map",
			   call->name, call->func_id);
}

/* check_mem_size_reg: the size in regno of the memory in regno - 1. */
static int check_size(struct types_env *env, struct verifier_state *st, uint32_t idx,
		      uint8_t regno, bool zero_ok, bool write)
{
	const struct func_state *frame = state_frame(st);
	const struct reg_state *size = &frame->regs[regno], *mem = &frame->regs[regno - 1];

	if (size->smin < 0)
		return types_error(env, idx, -EACCES,
				   "R%u min value is negative, either use unsigned or 'var &= const'",
				   regno);
	if (size->umin == 0 && !zero_ok)
		return types_error(env, idx, -EACCES,
				   "R%u invalid zero-sized read: u64=[%" PRIu64 ",%" PRIu64 "]",
				   regno, size->umin, size->umax);
	if (size->umax >= HELPER_MAX_VAR_SIZE)
		return types_error(env, idx, -EACCES,
				   "R%u unbounded memory access, use 'var &= const' or "
				   "'if (var < const)'", regno);
	/* NULL memory (an _OR_NULL argument) only with a zero size. */
	if (mem->type == REG_SCALAR) {
		if (zero_ok && size->umax == 0 && reg_is_null(mem))
			return 0;
		return types_error(env, idx, -EACCES, "R%u type=scalar expected=fp", regno - 1);
	}
	return types_check_helper_mem(env, st, idx, (uint8_t)(regno - 1), size->umin, size->umax,
				      write);
}

/* get_constant_map_key: the key an array lookup is given when the stack
 * holds it as known zeros or as a spilled constant (-1: not known). With it
 * the kernel (6.14 and later) knows a lookup below max_entries finds an
 * element: no NULL check is needed. */
static int64_t constant_key(const struct verifier_state *st, const struct reg_state *key,
			    uint32_t key_size)
{
	const struct func_state *frame;
	const struct stack_slot *slot;
	uint32_t first, zeros = 0;
	int64_t off;

	if (key->type != REG_PTR_TO_STACK || !tnum_is_const(key->var_off) ||
	    key->frameno > st->curframe)
		return -1;
	frame = st->frames[key->frameno];
	off = key->off + (int64_t)key->var_off.value;
	if (off >= 0 || off < -ISA_MAX_STACK || (uint32_t)(-off - 1) / STACK_SLOT_SIZE >= frame->slot_cnt)
		return -1;
	slot = &frame->stack[(uint32_t)(-off - 1) / STACK_SLOT_SIZE];
	first = (uint32_t)(off & (STACK_SLOT_SIZE - 1));
	/* The key's bytes, up to the slot's end, are known zeros ... */
	for (uint32_t i = first; i < STACK_SLOT_SIZE && slot->bytes[i] == SLOT_ZERO; i++)
		zeros++;
	if (zeros >= key_size)
		return 0;
	/* ... or the key is a spilled constant of the key's size (a narrow
	 * spill for a narrow key), as the kernel's get_constant_map_key. */
	if (first != 0 || slot_spill_size(slot) != key_size || !reg_is_const(&slot->spilled))
		return -1;
	return (int64_t)slot->spilled.var_off.value;
}

/* check_reg_const_str: a NUL-terminated string in a frozen read-only map. */
static int check_const_str(struct types_env *env, uint32_t idx, uint8_t regno,
			   const struct reg_state *reg)
{
	struct map_desc desc;
	void *value;
	uint64_t off;

	if (!helper_map_desc(env, reg->map, &desc) || !desc.map ||
	    !(desc.map_flags & BPF_F_RDONLY_PROG) ||
	    !__atomic_load_n(&desc.map->region->frozen, __ATOMIC_ACQUIRE))
		return types_error(env, idx, -EACCES, "R%u does not point to a readonly map'",
				   regno);
	if (!tnum_is_const(reg->var_off))
		return types_error(env, idx, -EACCES, "R%u is not a constant address'", regno);
	if (!desc.map->ops->direct_value_addr)
		return types_error(env, idx, -EACCES,
				   "no direct value access support for this map type");
	off = (uint64_t)reg->off + reg->var_off.value;
	if ((int64_t)off < 0 || off >= desc.value_size)
		return types_error(env, idx, -EACCES,
				   "invalid access to map value, value_size=%u off=%" PRId64 " size=%"
				   PRId64, desc.value_size, (int64_t)off,
				   (int64_t)desc.value_size - (int64_t)off);
	if (desc.map->ops->direct_value_addr(desc.map, (uint32_t)off, &value))
		return types_error(env, idx, -EACCES, "direct value access on string failed");
	if (!memchr(value, 0, desc.value_size - off))
		return types_error(env, idx, -EINVAL, "string is not zero-terminated");
	return 0;
}

static int check_map_arg(struct types_env *env, uint8_t regno, const struct reg_state *reg,
			 struct helper_call *call)
{
	if (!helper_map_desc(env, reg->map, &call->desc))
		return types_error(env, call->idx, -EINVAL,
				   "R%u: a map the verifier cannot follow", regno);
	call->has_map = true;
	call->map = reg->map;
	return 0;
}

/* What the argument means, once its type is right. */
static int check_arg_meaning(struct types_env *env, struct verifier_state *st, uint8_t regno,
			     enum helper_arg arg, struct helper_call *call)
{
	const struct reg_state *reg = &state_frame(st)->regs[regno];
	uint32_t idx = call->idx;
	enum helper_arg prev = regno > BPF_REG_1 ? call->proto->args[regno - 2] : ARG_NONE;
	int err;

	switch (arg) {
	case ARG_CONST_MAP_PTR:
		return check_map_arg(env, regno, reg, call);
	case ARG_PTR_TO_MAP_KEY:
		err = need_map(env, call);
		if (!err)
			err = types_check_helper_mem(env, st, idx, regno, call->desc.key_size,
						     call->desc.key_size, false);
		if (!err && (call->desc.type == BPF_MAP_TYPE_ARRAY ||
			     call->desc.type == BPF_MAP_TYPE_PERCPU_ARRAY))
			call->const_key = constant_key(st, reg, call->desc.key_size);
		return err;
	case ARG_PTR_TO_MAP_VALUE_OR_NULL:
		if (reg_is_null(reg))
			return 0;
		/* fall through */
	case ARG_PTR_TO_MAP_VALUE:
	case ARG_PTR_TO_UNINIT_MAP_VALUE:
		err = need_map(env, call);
		return err ? err : types_check_helper_mem(env, st, idx, regno, call->desc.value_size,
							  call->desc.value_size,
							  arg == ARG_PTR_TO_UNINIT_MAP_VALUE);
	case ARG_CONST_SIZE:
	case ARG_CONST_SIZE_OR_ZERO:
		call->msize_max = reg->umax;
		return check_size(env, st, idx, regno, arg == ARG_CONST_SIZE_OR_ZERO,
				  prev == ARG_PTR_TO_UNINIT_MEM);
	case ARG_CONST_ALLOC_SIZE_OR_ZERO:
		if (!tnum_is_const(reg->var_off))
			return types_error(env, idx, -EACCES, "R%u is not a known constant'", regno);
		call->mem_size = reg->var_off.value;
		return 0;
	case ARG_PTR_TO_LONG:
	case ARG_PTR_TO_INT: {
		/* MEM_FIXED_SIZE | MEM_ALIGNED: the helper stores a whole
		 * number there (check_ptr_alignment, strict). */
		uint32_t size = arg == ARG_PTR_TO_LONG ? 8 : 4;
		int mem_err = types_check_helper_mem(env, st, idx, regno, size, size, true);

		return mem_err ? mem_err : mem_check_alignment(env, idx, reg, 0, size, true);
	}
	case ARG_PTR_TO_CONST_STR:
		return check_const_str(env, idx, regno, reg);
	case ARG_PTR_TO_SPIN_LOCK:
		return refs_spin_lock(env, st, idx, regno, call->func_id == BPF_FUNC_spin_lock);
	default: /* memory checked with its size; functions, contexts: the type says all */
		return 0;
	}
}

/* The reference an argument carries: at most one per call; the released
 * argument must carry one (or be NULL). */
static int check_arg_ref(struct types_env *env, uint8_t regno, const struct reg_state *reg,
			 enum helper_arg arg, struct helper_call *call)
{
	if (arg_is_release(arg)) {
		if (!reg->ref_obj_id && !reg_is_null(reg))
			return types_error(env, call->idx, -EINVAL,
					   "R%u must be referenced when passed to release function",
					   regno);
		call->release_regno = regno;
	}
	if (reg->ref_obj_id) {
		if (call->ref_obj_id)
			return types_error(env, call->idx, -EACCES,
					   "more than one arg with ref_obj_id R%u %u %u", regno,
					   reg->ref_obj_id, call->ref_obj_id);
		call->ref_obj_id = reg->ref_obj_id;
	}
	return 0;
}

/* The helpers whose kernel prototype sets pkt_access: the only ones a
 * packet pointer may be passed to (may_access_direct_pkt_data), save in
 * cgroup_sockopt programs, whose optval buffer is a packet. The others may
 * change the packet under the pointer, or never expect one. */
static bool helper_takes_packet(const struct types_env *env, uint32_t id)
{
	switch (id) {
	case BPF_FUNC_map_lookup_elem: case BPF_FUNC_map_update_elem:
	case BPF_FUNC_map_delete_elem: case BPF_FUNC_map_push_elem:
	case BPF_FUNC_map_lookup_percpu_elem: case BPF_FUNC_csum_diff:
	case BPF_FUNC_sk_lookup_tcp: case BPF_FUNC_sk_lookup_udp: case BPF_FUNC_skc_lookup_tcp:
	case BPF_FUNC_sock_map_update: case BPF_FUNC_sock_hash_update:
	case BPF_FUNC_tcp_check_syncookie: case BPF_FUNC_tcp_gen_syncookie:
	case BPF_FUNC_tcp_raw_gen_syncookie_ipv4: case BPF_FUNC_tcp_raw_gen_syncookie_ipv6:
	case BPF_FUNC_tcp_raw_check_syncookie_ipv4: case BPF_FUNC_tcp_raw_check_syncookie_ipv6:
	case KFUNC_PROTO_ID: /* kfuncs take any memory (check_kfunc_mem_size_reg) */
		return true;
	default:
		return env->prog->type == BPF_PROG_TYPE_CGROUP_SOCKOPT;
	}
}

static int check_arg(struct types_env *env, struct verifier_state *st, uint8_t regno,
		     struct helper_call *call)
{
	enum helper_arg arg = sock_helper_arg(env, call, regno);
	const struct reg_state *reg = &state_frame(st)->regs[regno];
	int err;

	if (arg == ARG_NONE)
		return 0;
	err = types_check_reg_init(env, st, call->idx, regno);
	if (err || arg == ARG_ANYTHING)
		return err;
	if ((reg_base_type(reg) == REG_PTR_TO_PACKET ||
	     reg_base_type(reg) == REG_PTR_TO_PACKET_META) &&
	    !helper_takes_packet(env, call->proto->id))
		return types_error(env, call->idx, -EACCES,
				   "helper access to the packet is not allowed");
	/* NULL where NULL is allowed: a scalar, nothing more to check. */
	if (!(arg_may_be_null(arg) && reg_is_null(reg))) {
		err = check_reg_type(env, call->idx, regno, reg, call->func_id, arg);
		if (!err)
			err = check_reg_off(env, call->idx, regno, reg, arg);
		if (err)
			return err;
	}
	err = check_arg_ref(env, regno, reg, arg, call);
	return err ? err : check_arg_meaning(env, st, regno, arg, call);
}

int helper_check_args(struct types_env *env, struct verifier_state *st, struct helper_call *call)
{
	for (uint8_t regno = BPF_REG_1; regno <= BPF_REG_5; regno++) {
		int err = check_arg(env, st, regno, call);

		if (err)
			return err;
	}
	return 0;
}
