/* Loads, stores and atomics on abstract states, and the 64-bit immediate and
 * legacy packet loads.
 *
 * Every access goes through a base register (src for loads, dst for stores):
 *   - the context: the program type checks the field and says how to
 *     rewrite the access for the runtime context (progtype.h); the rewrite
 *     is recorded and applied once every path is verified (types.c);
 *   - the stack (r10 or a copy, in this frame or a caller's): spills, fills
 *     (types_stack.c);
 *   - map values, packets, helper memory, ring records: bounds-checked by
 *     mem_check.c; anything else is refused.
 * The same instruction may not go through the context on one path and
 * another pointer on another, since it has one rewrite (the kernel's
 * "same insn cannot be used with different pointers"). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "core/error.h"
#include "progtypes/btf_ctx.h"
#include "verifier/mem_check.h"
#include "verifier/refs.h"
#include "verifier/scalar.h"
#include "verifier/types_env.h"
#include "verifier/types_sock.h"

/* The kernel's reg_type_mismatch(): pointers whose accesses are rewritten
 * (the context, sockets) must be the same on every path. */
static bool rewritten_pointer(uint16_t type)
{
	return type == REG_PTR_TO_CTX || sock_reg_type((enum reg_type)type);
}

static int record_pointer_type(struct types_env *env, uint32_t idx, const struct reg_state *base)
{
	struct insn_aux *aux = &env->aux[idx];
	uint16_t type = base->type;

	if (!aux->ptr_seen) {
		aux->ptr_seen = true;
		aux->ptr_type = type;
		return 0;
	}
	if (aux->ptr_type != type && (rewritten_pointer(aux->ptr_type) || rewritten_pointer(type)))
		return types_error(env, idx, -EINVAL, "same insn cannot be used with different pointers");
	return 0;
}

static void load_result_from_ctx(struct types_env *env, struct reg_state *dst,
				 const struct ctx_rewrite *rewrite, uint32_t size, bool sign_extend)
{
	switch (rewrite->kind) {
	case CTX_FIELD_PACKET:
		reg_mark_pointer(dst, REG_PTR_TO_PACKET, 0);
		break;
	case CTX_FIELD_PACKET_END:
		reg_mark_pointer(dst, REG_PTR_TO_PACKET_END, 0);
		break;
	case CTX_FIELD_PACKET_META:
		reg_mark_pointer(dst, REG_PTR_TO_PACKET_META, 0);
		break;
	case CTX_FIELD_PTR_OR_NULL:
		reg_mark_pointer(dst, REG_PTR_TO_KERNEL_OBJ | REG_MAYBE_NULL, 0);
		dst->id = ++env->next_id;
		break;
	case CTX_FIELD_PTR:
		reg_mark_pointer(dst, REG_PTR_TO_KERNEL_OBJ, 0);
		break;
	case CTX_FIELD_BTF_PTR:
		reg_mark_pointer(dst, REG_PTR_TO_BTF_ID, 0);
		dst->btf_id = rewrite->btf_id;
		dst->btf_flags = rewrite->btf_flags & (uint8_t)~BTF_PTR_MAYBE_NULL;
		if (rewrite->btf_flags & BTF_PTR_MAYBE_NULL) {
			dst->type |= REG_MAYBE_NULL;
			dst->id = ++env->next_id;
		}
		break;
	case CTX_FIELD_BUF_OR_NULL:
	case CTX_FIELD_RDONLY_BUF_OR_NULL:
		reg_mark_pointer(dst, (rewrite->kind == CTX_FIELD_BUF_OR_NULL ? REG_PTR_TO_BUF :
				       REG_PTR_TO_RDONLY_BUF) | REG_MAYBE_NULL, 0);
		dst->id = ++env->next_id;
		break;
	default:
		if (!sock_ctx_field(env, rewrite, dst))
			reg_mark_unknown_bits(dst, sign_extend ? 64 : size * 8);
		break;
	}
}

static bool ctx_field_is_packet(const struct ctx_rewrite *rewrite)
{
	return rewrite->kind == CTX_FIELD_PACKET || rewrite->kind == CTX_FIELD_PACKET_END ||
	       rewrite->kind == CTX_FIELD_PACKET_META;
}

/* The program type's verdict on a context access, and its rewrite. */
static int ctx_field_access(struct types_env *env, uint32_t idx, int32_t off, uint32_t size,
			    bool is_write, struct ctx_rewrite *rewrite)
{
	const struct progtype *type = env->prog->progtype;
	char reason[512];
	const char *msg;
	size_t name_len;
	int err;

	memset(rewrite, 0, sizeof(*rewrite));
	vm_error("%s", "");
	err = type->ctx_access(env->prog, off, size, is_write, rewrite);
	if (!err)
		return 0;
	/* The type's message says what is wrong with the field; say where
	 * (once: some types already name the program). */
	msg = bpfvm_errmsg();
	name_len = strlen(env->prog->name);
	if (strncmp(msg, env->prog->name, name_len) == 0 && strncmp(msg + name_len, ": ", 2) == 0)
		msg += name_len + 2;
	snprintf(reason, sizeof(reason), "%s", msg);
	if (!reason[0])
		snprintf(reason, sizeof(reason), "invalid bpf_context access off=%d size=%u", off,
			 size);
	return types_error(env, idx, err < 0 ? err : -EACCES, "%s", reason);
}

static int record_rewrite(struct types_env *env, uint32_t idx, const struct ctx_rewrite *rewrite)
{
	struct insn_aux *aux = &env->aux[idx];

	if (!aux->ctx_access) {
		aux->ctx_access = true;
		aux->rewrite = *rewrite;
		return 0;
	}
	if (aux->rewrite.off != rewrite->off || aux->rewrite.size != rewrite->size ||
	    aux->rewrite.kind != rewrite->kind || aux->rewrite.store_limit != rewrite->store_limit)
		return types_error(env, idx, -EINVAL,
				   "context access rewritten differently on two paths");
	return 0;
}

static int ctx_access(struct types_env *env, struct verifier_state *st, uint32_t idx,
		      uint8_t base_regno, const struct reg_state *base)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	uint8_t class = isa_class(insn->code);
	uint32_t size = isa_size_bytes(insn->code);
	bool is_write = class != BPF_LDX;
	struct ctx_rewrite rewrite;
	int32_t off;
	int err;

	if (class == BPF_STX && isa_mode(insn->code) == BPF_ATOMIC)
		return types_error(env, idx, -EACCES, "BPF_ATOMIC stores into R%u ctx is not allowed",
				   base_regno);
	/* Alignment first, as check_mem_access (strict only by BPF_F_STRICT_ALIGNMENT). */
	err = mem_check_alignment(env, idx, base, insn->off, size, false);
	if (err)
		return err;
	/* Only the context pointer as the program received it (check_ptr_off_reg). */
	if (base->off < 0)
		return types_error(env, idx, -EACCES, "negative offset ctx ptr R%u off=%d disallowed",
				   base_regno, base->off);
	if (base->off)
		return types_error(env, idx, -EACCES, "dereference of modified ctx ptr R%u off=%d disallowed",
				   base_regno, base->off);
	if (!tnum_is_const(base->var_off) || base->var_off.value) {
		char tn[48];

		tnum_format(tn, sizeof(tn), base->var_off);
		return types_error(env, idx, -EACCES, "variable ctx access var_off=%s disallowed", tn);
	}
	off = base->off + insn->off;
	err = ctx_field_access(env, idx, off, size, is_write, &rewrite);
	/* A sign-extending load of a packet pointer field would make a
	 * pointer of half of one (the kernel's is_valid_access refuses
	 * is_ldsx there). */
	if (!err && isa_mode(insn->code) == BPF_MEMSX && ctx_field_is_packet(&rewrite))
		err = types_error(env, idx, -EACCES, "invalid bpf_context access off=%d size=%u",
				  off, size);
	if (!err)
		err = record_rewrite(env, idx, &rewrite);
	if (err)
		return err;
	if (off >= 0 && (uint32_t)off + size > env->max_ctx_offset)
		env->max_ctx_offset = (uint32_t)off + size;
	if (!is_write)
		load_result_from_ctx(env, &state_frame(st)->regs[insn->dst_reg], &rewrite, size,
				     isa_mode(insn->code) == BPF_MEMSX);
	return 0;
}

/* A stack read at a variable offset: the bytes it may read give zero if
 * they all hold zero, some data otherwise (the kernel's
 * check_stack_read_var_off; spilled registers read as data). */
static int stack_read_var(struct types_env *env, uint32_t idx, struct func_state *frame,
			  int64_t min_off, int64_t max_off, struct reg_state *dst)
{
	bool zero = true;

	for (int64_t off = min_off; off < max_off && zero; off++) {
		struct stack_slot *slot = func_state_slot(frame, (int32_t)off);
		uint32_t byte = (uint32_t)(off & (STACK_SLOT_SIZE - 1));

		if (!slot)
			return types_error(env, idx, -ENOMEM, "out of memory");
		if (slot->bytes[byte] == SLOT_SPILL)
			zero = reg_is_const(&slot->spilled) && slot->spilled.var_off.value == 0;
		else
			zero = slot->bytes[byte] == SLOT_ZERO;
	}
	if (zero)
		reg_mark_const(dst, 0);
	else
		reg_mark_unknown(dst);
	return 0;
}

/* A stack access through a pointer to frame base->frameno (the kernel's
 * check_stack_read / check_stack_write): aligned, within the 512 bytes. */
static int stack_access(struct types_env *env, struct verifier_state *st, uint32_t idx,
			uint8_t base_regno, const struct reg_state *base)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	struct func_state *frame = st->frames[base->frameno];
	struct func_state *cur = state_frame(st);
	uint32_t size = isa_size_bytes(insn->code);
	uint8_t class = isa_class(insn->code);
	bool atomic = class == BPF_STX && isa_mode(insn->code) == BPF_ATOMIC;
	int32_t off = base->off + insn->off;
	int64_t min_off, max_off;
	/* RFC 9669 lets raw programs (progtype.isa_semantics) access the
	 * stack unaligned: such an access is tracked as bytes of data, as a
	 * variable-offset one is, never as a spill. */
	bool raw_unaligned = env->prog->progtype->isa_semantics && !atomic &&
			     tnum_is_const(base->var_off) &&
			     ((int64_t)off + (int64_t)base->var_off.value) % size;
	int err = raw_unaligned ? 0 : mem_check_alignment(env, idx, base, insn->off, size, atomic);

	if (!err)
		err = mem_check_stack_bounds(env, idx, base_regno, frame, base, off, size, class != BPF_LDX,
					     &min_off, &max_off);
	if (err)
		return err;
	if (!tnum_is_const(base->var_off) || raw_unaligned) {
		if (atomic) { /* its read goes to no register (check_stack_read) */
			char tn[48];

			mem_format_var_off(tn, sizeof(tn), base->var_off);
			return types_error(env, idx, -EACCES,
					   "variable offset stack pointer cannot be passed into helper function; var_off=%s off=%d size=%u",
					   tn, off, size);
		}
		if (class == BPF_LDX)
			return stack_read_var(env, idx, frame, min_off, max_off,
					      &cur->regs[insn->dst_reg]);
		return types_stack_write_var(env, idx, frame, min_off, max_off);
	}
	off = (int32_t)min_off;
	if (class == BPF_LDX)
		return types_stack_read(env, idx, frame, off, size, &cur->regs[insn->dst_reg]);
	if (class == BPF_ST)
		return types_stack_write(env, st, idx, frame, off, size, NULL, true, insn->imm);
	if (!atomic) {
		/* A spilled scalar is a copy: it shares the register's id
		 * (scalar.h), as the kernel's check_stack_write_fixed_off,
		 * unless a narrow spill cuts its value. */
		const struct reg_state *src = &cur->regs[insn->src_reg];

		if (size == STACK_SLOT_SIZE ||
		    (src->type == REG_SCALAR && reg_width(src) <= size * 8))
			scalar_link_before_copy(&cur->regs[insn->src_reg], &env->next_id);
		return types_stack_write(env, st, idx, frame, off, size,
					 &cur->regs[insn->src_reg], false, 0);
	}
	/* An atomic reads the slot before it writes it (the kernel's
	 * check_atomic): 4 bytes of a spilled pointer are no number, and a
	 * fetch loads what the slot held, as a fill would. */
	struct reg_state old;

	err = types_stack_read(env, idx, frame, off, size, &old);
	if (err)
		return err;
	if (insn->imm == BPF_CMPXCHG)
		cur->regs[BPF_REG_0] = old;
	else if (insn->imm & BPF_FETCH)
		cur->regs[insn->src_reg] = old;
	return types_stack_write(env, st, idx, frame, off, size, NULL, false, 0);
}

/* A load's value is zero-extended from its size (sign-extended for
 * BPF_MEMSX), as the kernel's coerce_reg_to_size(_sx). */
static void load_result(const struct bpf_insn *insn, struct reg_state *dst)
{
	if (dst->type != REG_SCALAR)
		return;
	scalar_coerce_load(dst, isa_size_bytes(insn->code), isa_mode(insn->code) == BPF_MEMSX);
}

/* Any other pointer: map values, packets, helper memory (mem_check.c).
 * An atomic reads and writes (the kernel's check_atomic), strictly
 * aligned. */
static int other_access(struct types_env *env, struct verifier_state *st, uint32_t idx,
			uint8_t base_regno, const struct reg_state *base)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	uint8_t class = isa_class(insn->code);
	uint32_t size = isa_size_bytes(insn->code);
	bool atomic = class == BPF_STX && isa_mode(insn->code) == BPF_ATOMIC;
	int32_t off = base->off + insn->off;
	enum reg_type type = reg_base_type(base);
	struct reg_state *dst = NULL;
	int err;

	/* A flow dissector's kernel object is its flow keys (kernel_obj.c),
	 * which the kernel's check_atomic refuses by that name. */
	bool flow_keys = type == REG_PTR_TO_KERNEL_OBJ &&
			 env->prog->type == BPF_PROG_TYPE_FLOW_DISSECTOR;

	if (atomic && !(base->type & REG_MAYBE_NULL) &&
	    (type == REG_PTR_TO_PACKET || type == REG_PTR_TO_PACKET_META || sock_reg_type(type) ||
	     flow_keys)) {
		char name[32];

		return types_error(env, idx, -EACCES, "BPF_ATOMIC stores into R%u %s is not allowed",
				   base_regno,
				   flow_keys ? "flow_keys" : reg_name(base, name, sizeof(name)));
	}
	err = mem_check_alignment(env, idx, base, insn->off, size, atomic);
	if (err)
		return err;
	if (class == BPF_LDX)
		dst = &state_frame(st)->regs[insn->dst_reg];
	if (class == BPF_LDX || atomic)
		err = mem_check_access(env, idx, base_regno, base, off, size, false, dst);
	if (!err && class != BPF_LDX)
		err = mem_check_access(env, idx, base_regno, base, off, size, true, NULL);
	if (!err && dst)
		load_result(insn, dst);
	return err;
}

/* What an atomic outside the stack leaves in registers: fetch forms load
 * the old value (stack_access loads a stack slot's). */
static void atomic_results(struct verifier_state *st, const struct bpf_insn *insn)
{
	struct func_state *frame = state_frame(st);
	unsigned bits = isa_size(insn->code) == BPF_DW ? 64 : 32;

	if (insn->imm == BPF_CMPXCHG)
		reg_mark_unknown_bits(&frame->regs[BPF_REG_0], bits);
	else if (insn->imm & BPF_FETCH)
		reg_mark_unknown_bits(&frame->regs[insn->src_reg], bits);
}

static int check_operands(struct types_env *env, struct verifier_state *st, uint32_t idx)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	uint8_t class = isa_class(insn->code);
	int err = 0;

	if (class == BPF_LDX) {
		err = types_check_reg_init(env, st, idx, insn->src_reg);
		return err ? err : types_check_reg_write(env, idx, insn->dst_reg);
	}
	err = types_check_reg_init(env, st, idx, insn->dst_reg);
	if (!err && class == BPF_STX)
		err = types_check_reg_init(env, st, idx, insn->src_reg);
	if (!err && class == BPF_STX && insn->imm == BPF_CMPXCHG &&
	    isa_mode(insn->code) == BPF_ATOMIC)
		err = types_check_reg_init(env, st, idx, BPF_REG_0);
	/* A fetch loads the old value into src (r0 for cmpxchg). */
	if (!err && class == BPF_STX && isa_mode(insn->code) == BPF_ATOMIC &&
	    (insn->imm & BPF_FETCH) && insn->imm != BPF_CMPXCHG)
		err = types_check_reg_write(env, idx, insn->src_reg);
	return err;
}

int types_step_mem(struct types_env *env, struct verifier_state *st, uint32_t idx)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	uint8_t class = isa_class(insn->code);
	uint8_t base_regno = class == BPF_LDX ? insn->src_reg : insn->dst_reg;
	struct reg_state base = state_frame(st)->regs[base_regno];
	bool atomic = class == BPF_STX && isa_mode(insn->code) == BPF_ATOMIC;
	int err = check_operands(env, st, idx);

	if (!err)
		err = record_pointer_type(env, idx, &base);
	if (err)
		return err;
	switch (reg_base_type(&base)) {
	case REG_PTR_TO_CTX:
		return ctx_access(env, st, idx, base_regno, &base);
	case REG_PTR_TO_STACK:
		err = stack_access(env, st, idx, base_regno, &base);
		break;
	default:
		err = other_access(env, st, idx, base_regno, &base);
		break;
	}
	if (!err && atomic && reg_base_type(&base) != REG_PTR_TO_STACK)
		atomic_results(st, insn);
	return err;
}

/* ---- BPF_LD: lddw and the legacy packet loads -------------------------- */

static int lddw(struct types_env *env, struct verifier_state *st, uint32_t idx)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	struct reg_state *dst = &state_frame(st)->regs[insn->dst_reg];
	int err = types_check_reg_write(env, idx, insn->dst_reg);

	if (err)
		return err;
	switch (insn->src_reg) {
	case 0:
		reg_mark_const(dst, isa_lddw_imm(insn));
		break;
	case BPF_PSEUDO_MAP_IDX:
	case BPF_PSEUDO_MAP_FD:
		reg_mark_pointer(dst, REG_CONST_PTR_TO_MAP, 0);
		dst->map = (uint32_t)insn->imm;
		break;
	case BPF_PSEUDO_MAP_IDX_VALUE:
	case BPF_PSEUDO_MAP_VALUE:
		reg_mark_pointer(dst, REG_PTR_TO_MAP_VALUE, insn[1].imm);
		dst->map = (uint32_t)insn->imm;
		break;
	case BPF_PSEUDO_FUNC:
		reg_mark_pointer(dst, REG_PTR_TO_FUNC, 0);
		dst->map = (uint32_t)(prog_subprog_of(env->prog, idx + 1 + (uint32_t)insn->imm) -
				      env->prog->subprogs);
		break;
	default: /* BTF ids of kernel objects: nothing bpfvm can follow */
		reg_mark_unknown(dst);
		break;
	}
	return 0;
}

/* Where the kernel's check_ld_abs forbids the legacy loads: a failed one
 * ends the program (or the function), which must not leak a reference or
 * a lock, nor return into a helper from a callback. */
static int legacy_load_allowed(struct types_env *env, const struct verifier_state *st,
			       uint32_t idx)
{
	for (uint32_t f = 1; f <= st->curframe; f++)
		if (st->frames[f]->callback)
			return types_error(env, idx, -EINVAL,
					   "cannot use BPF_LD_[ABS|IND] within callback");
	for (uint32_t i = 0; i < st->ref_cnt; i++)
		if (st->refs[i].kind == REF_PTR)
			return types_error(env, idx, -EINVAL,
					   "BPF_LD_[ABS|IND] cannot be mixed with socket references");
	if (refs_holds_lock(st))
		return types_error(env, idx, -EINVAL,
				   "BPF_LD_[ABS|IND] cannot be used inside bpf_spin_lock-ed region");
	return 0;
}

/* ld_abs / ld_ind read the packet of the context in r6 and clobber r1..r5
 * (the kernel's check_ld_abs). A load out of the packet returns 0 from the
 * current function (bpf_gen_ld_abs's hidden exit): in a subprogram that is
 * a path of its own, which the caller sees come back with r0 = 0. */
static int legacy_packet_load(struct types_env *env, struct verifier_state *st, uint32_t idx,
			      uint32_t *next)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	struct func_state *frame = state_frame(st);
	/* raw mode (no context fields): the buffer is the packet, r6 the buffer */
	bool raw = !env->prog->progtype->ctx_access;
	int err;

	if (!env->prog->progtype->legacy_packet && !raw)
		return types_error(env, idx, -EINVAL,
				   "BPF_LD_[ABS|IND] instructions not allowed for this program type");
	err = types_check_reg_init(env, st, idx, BPF_REG_6);
	if (!err)
		err = legacy_load_allowed(env, st, idx);
	if (!err && isa_mode(insn->code) == BPF_IND)
		err = types_check_reg_init(env, st, idx, insn->src_reg);
	if (err)
		return err;
	if (frame->regs[BPF_REG_6].type != (raw ? REG_PTR_TO_MEM : REG_PTR_TO_CTX))
		return types_error(env, idx, -EINVAL,
				   "at the time of BPF_LD_ABS|IND R6 != pointer to skb");
	for (int r = BPF_REG_1; r <= BPF_REG_5; r++)
		reg_mark_not_init(&frame->regs[r]);
	reg_mark_unknown_bits(&frame->regs[BPF_REG_0], isa_size_bytes(insn->code) * 8);
	if (!st->curframe)
		return 0;
	err = types_push_path(env, st, idx + 1);
	if (err)
		return err;
	reg_mark_const(&frame->regs[BPF_REG_0], 0);
	return types_func_exit(env, st, idx, next);
}

int types_step_ld(struct types_env *env, struct verifier_state *st, uint32_t idx,
		  uint32_t *next)
{
	if (isa_is_lddw(env->prog->insns[idx].code))
		return lddw(env, st, idx);
	return legacy_packet_load(env, st, idx, next);
}
