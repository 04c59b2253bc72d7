/* Helper calls on abstract states, as the kernel's check_helper_call: no
 * call while a lock is held; the license; the arguments checked against the
 * helper's prototype (helper_args.c); a tail call's map and the references
 * it would leak; the reference an argument gives back; callbacks queued as
 * paths of their own; caller-saved registers clobbered and r0 typed from
 * the return type; the map the helper was given (helper_maps.c). */
#include <errno.h>
#include <string.h>

#include "core/runtime.h"
#include "helpers/helper_proto.h"
#include "helpers/helper_table.h"
#include "isa/isa.h"
#include "progtypes/btf_ctx.h"
#include "maps/map.h"
#include "verifier/helper_call.h"
#include "verifier/refs.h"
#include "verifier/types_sock.h"

/* A callback's arguments, as the kernel's set_*_callback_state(): what the
 * helper passes, with the caller's callback context forwarded. */
static void callback_args(const struct types_env *env, const struct func_state *caller,
			  int32_t helper, struct func_state *callee)
{
	struct reg_state *r = callee->regs;
	struct map_desc desc;

	for (int i = BPF_REG_1; i <= BPF_REG_5; i++)
		reg_mark_unknown(&r[i]);
	switch (helper) {
	case BPF_FUNC_loop: /* long cb(u64 index, void *ctx) */
		r[BPF_REG_2] = caller->regs[BPF_REG_3];
		break;
	case BPF_FUNC_for_each_map_elem: /* long cb(map, key, value, ctx) */
		r[BPF_REG_1] = caller->regs[BPF_REG_1];
		reg_mark_pointer(&r[BPF_REG_2], REG_PTR_TO_MEM, 0); /* the key */
		if (helper_map_desc(env, caller->regs[BPF_REG_1].map, &desc))
			r[BPF_REG_2].mem_size = desc.key_size;
		reg_mark_pointer(&r[BPF_REG_3], REG_PTR_TO_MAP_VALUE, 0);
		r[BPF_REG_3].map = caller->regs[BPF_REG_1].map;
		r[BPF_REG_4] = caller->regs[BPF_REG_3];
		break;
	case BPF_FUNC_timer_set_callback: /* int cb(map, key, value): the timer's */
		reg_mark_pointer(&r[BPF_REG_2], REG_PTR_TO_MEM, 0);
		if (helper_map_desc(env, caller->regs[BPF_REG_1].map, &desc))
			r[BPF_REG_2].mem_size = desc.key_size;
		reg_mark_pointer(&r[BPF_REG_3], REG_PTR_TO_MAP_VALUE, 0);
		r[BPF_REG_3].map = caller->regs[BPF_REG_1].map;
		break;
	case BPF_FUNC_find_vma: /* long cb(task, vma, ctx) */
		reg_mark_pointer(&r[BPF_REG_1], REG_PTR_TO_KERNEL_OBJ, 0);
		reg_mark_pointer(&r[BPF_REG_2], REG_PTR_TO_KERNEL_OBJ, 0);
		r[BPF_REG_3] = caller->regs[BPF_REG_4];
		break;
	case BPF_FUNC_user_ringbuf_drain: /* long cb(dynptr, ctx) */
		reg_mark_pointer(&r[BPF_REG_1], REG_PTR_TO_MEM, 0);
		r[BPF_REG_2] = caller->regs[BPF_REG_3];
		break;
	}
}

/* A helper called with a function (lddw BPF_PSEUDO_FUNC) may call it, any
 * number of times: the callback runs in a new frame on a path of its own
 * and, at its exit, comes back to the helper call, which may call it again
 * or return (the kernel's model for bpf_loop and friends). The call is a
 * join, so the repetitions converge. */
static int queue_callback(struct types_env *env, struct verifier_state *st, uint32_t idx)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	struct func_state *caller = state_frame(st), *callee;
	uint32_t frameno = st->curframe + 1, start;
	int func_reg = 0, err;

	for (int r = BPF_REG_1; r <= BPF_REG_5 && !func_reg; r++)
		if (caller->regs[r].type == REG_PTR_TO_FUNC)
			func_reg = r;
	if (!func_reg)
		return 0;
	if (frameno >= ISA_MAX_CALL_FRAMES)
		return types_error(env, idx, -E2BIG, "the call stack of %u frames is too deep !",
				   frameno + 1);
	start = env->prog->subprogs[caller->regs[func_reg].map].start;
	callee = func_state_new(frameno, idx, caller->regs[func_reg].map);
	if (!callee)
		return types_error(env, idx, -ENOMEM, "out of memory");
	callee->callback = true;
	callback_args(env, caller, insn->imm, callee);
	st->frames[frameno] = callee;
	st->curframe = frameno;
	st->callback_unroll_depth++;
	err = types_push_path(env, st, start);
	st->callback_unroll_depth--;
	st->frames[frameno] = NULL;
	st->curframe = frameno - 1;
	func_state_free(callee);
	return err;
}

/* Whether the program may call the helper at all, here: its license, and
 * a helper that may sleep only in a sleepable program and outside a
 * bpf_rcu_read_lock section, as the kernel's check_helper_call (the program
 * type's helpers are checked with the structure, structure.c). */
static int check_allowed(struct types_env *env, const struct verifier_state *st,
			 const struct helper_call *call)
{
	if (call->proto->gpl_only && !env->prog->gpl_compatible)
		return types_error(env, call->idx, -EINVAL,
				   "cannot call GPL-restricted function from non-GPL compatible "
				   "program");
	if (helper_might_sleep(call->proto->id) && !(env->prog->prog_flags & BPF_F_SLEEPABLE))
		return types_error(env, call->idx, -EINVAL,
				   "helper call might sleep in a non-sleepable prog");
	if (helper_might_sleep(call->proto->id) && refs_in_rcu(st))
		return types_error(env, call->idx, -EINVAL,
				   "sleepable helper %s#%d in rcu_read_lock region", call->name,
				   call->func_id);
	return 0;
}

/* A tail call's map is a prog array (the kernel's record_func_key, before
 * the other map checks). */
static int check_tail_call(struct types_env *env, struct verifier_state *st,
			   const struct helper_call *call)
{
	if (call->func_id != BPF_FUNC_tail_call)
		return 0;
	if (!call->has_map || call->desc.type != BPF_MAP_TYPE_PROG_ARRAY)
		return types_error(env, call->idx, -EINVAL, "expected prog array map for tail call");
	return refs_check_leak(env, st, call->idx, "tail_call");
}

/* A map that programs may only read (BPF_F_RDONLY_PROG, which the kernel
 * also sets on device maps) is not changed by helpers (record_func_map). */
static int check_readonly_map(struct types_env *env, const struct helper_call *call)
{
	bool writes = call->func_id == BPF_FUNC_map_delete_elem ||
		      call->func_id == BPF_FUNC_map_update_elem ||
		      call->func_id == BPF_FUNC_map_push_elem ||
		      call->func_id == BPF_FUNC_map_pop_elem;

	if (writes && call->has_map && (call->desc.map_flags & BPF_F_RDONLY_PROG))
		return types_error(env, call->idx, -EACCES, "write into map forbidden");
	return 0;
}

/* The reference an argument gave back (ringbuf submit or discard). */
static int release_argument(struct types_env *env, struct verifier_state *st,
			    const struct helper_call *call)
{
	if (!call->release_regno)
		return 0;
	if (call->ref_obj_id && refs_release(st, call->ref_obj_id) == 0)
		return 0;
	if (!call->ref_obj_id && reg_is_const(&state_frame(st)->regs[call->release_regno]))
		return 0; /* NULL: nothing to release */
	return types_error(env, call->idx, -EINVAL,
			   "func %s#%d reference has not been acquired before", call->name,
			   call->func_id);
}

/* r0 after a helper, from its prototype's return type (the kernel's
 * check_helper_call). `call` says which map and size the arguments gave. */
static int helper_result(struct types_env *env, struct verifier_state *st,
			 const struct helper_call *call, struct reg_state *r0)
{
	bool of_maps = call->desc.type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
		       call->desc.type == BPF_MAP_TYPE_HASH_OF_MAPS;
	int id;

	if (sock_helper_result(env, st, call, r0, &id))
		return id;
	switch (call->proto->ret) {
	case RET_VOID:
		reg_mark_not_init(r0);
		return 0;
	case RET_PTR_TO_MAP_VALUE_OR_NULL:
		if (!call->has_map)
			return types_error(env, call->idx, -EFAULT, "unexpected null map_ptr");
		if (of_maps && !(call->map & REG_MAP_INNER)) { /* the inner map */
			reg_mark_pointer(r0, REG_CONST_PTR_TO_MAP | REG_MAYBE_NULL, 0);
			r0->map = call->map | REG_MAP_INNER;
		} else if (call->func_id == BPF_FUNC_map_lookup_elem && call->const_key >= 0 &&
			   call->const_key < call->desc.max_entries) {
			/* An element of an array, surely there. */
			reg_mark_pointer(r0, REG_PTR_TO_MAP_VALUE, 0);
			r0->map = call->map;
			if (call->desc.spin_lock_off >= 0) /* names its lock */
				r0->id = ++env->next_id;
			return 0;
		} else {
			reg_mark_pointer(r0, REG_PTR_TO_MAP_VALUE | REG_MAYBE_NULL, 0);
			r0->map = call->map;
		}
		break;
	case RET_PTR_TO_BTF_ID_TRUSTED: /* bpf_get_current_task_btf */
		reg_mark_pointer(r0, REG_PTR_TO_BTF_ID, 0);
		r0->btf_id = btf_ctx_find("task_struct", BTF_KIND_STRUCT);
		r0->btf_flags = BTF_PTR_TRUSTED;
		return 0;
	case RET_PTR_TO_MAP_OR_NULL:
		reg_mark_pointer(r0, REG_CONST_PTR_TO_MAP | REG_MAYBE_NULL, 0);
		r0->map = UINT32_MAX;
		break;
	case RET_PTR_TO_RINGBUF_MEM_OR_NULL: /* of the size asked (a constant) */
		reg_mark_pointer(r0, REG_PTR_TO_RINGBUF_MEM | REG_MAYBE_NULL, 0);
		r0->mem_size = (uint32_t)call->mem_size;
		id = refs_acquire(env, st, call->idx);
		if (id < 0)
			return id;
		/* The NULL check refines r0 and drops the reference together. */
		r0->id = r0->ref_obj_id = (uint32_t)id;
		return 0;
	default:
		reg_mark_unknown(r0);
		return 0;
	}
	r0->id = ++env->next_id;
	return 0;
}

/* A helper registered by the user has no prototype: five values in, a
 * scalar out. */
static void user_helper_call(struct func_state *frame)
{
	types_clobber_caller_saved(frame);
	reg_mark_unknown(&frame->regs[BPF_REG_0]);
}

/* Helpers that may move or resize the packet (the kernel's
 * bpf_helper_changes_pkt_data): after them no packet pointer is valid. */
static bool changes_packet_data(int32_t func_id)
{
	switch (func_id) {
	case BPF_FUNC_skb_store_bytes: case BPF_FUNC_skb_change_head:
	case BPF_FUNC_skb_change_tail: case BPF_FUNC_skb_pull_data:
	case BPF_FUNC_skb_change_proto: case BPF_FUNC_skb_vlan_push:
	case BPF_FUNC_skb_vlan_pop: case BPF_FUNC_skb_adjust_room:
	case BPF_FUNC_l3_csum_replace: case BPF_FUNC_l4_csum_replace:
	case BPF_FUNC_clone_redirect: case BPF_FUNC_xdp_adjust_head:
	case BPF_FUNC_xdp_adjust_meta: case BPF_FUNC_xdp_adjust_tail:
	case BPF_FUNC_msg_pull_data: case BPF_FUNC_msg_push_data:
	case BPF_FUNC_msg_pop_data: case BPF_FUNC_lwt_push_encap:
	case BPF_FUNC_lwt_seg6_store_bytes: case BPF_FUNC_lwt_seg6_adjust_srh:
	case BPF_FUNC_lwt_seg6_action:
		return true;
	default:
		return false;
	}
}

static void forget_packet_pointer(struct reg_state *reg, void *unused)
{
	(void)unused;
	switch (reg_base_type(reg)) {
	case REG_PTR_TO_PACKET: case REG_PTR_TO_PACKET_META: case REG_PTR_TO_PACKET_END:
		reg_mark_unknown(reg);
		break;
	default:
		break;
	}
}

/* The kernel's clear_all_pkt_pointers: in every frame, registers and
 * spilled slots holding packet pointers become unknown scalars, so that a
 * range checked before the packet moved is never trusted after. */
static void forget_packet_pointers(struct verifier_state *st)
{
	state_for_each_reg(st, forget_packet_pointer, NULL);
}

int types_step_helper_call(struct types_env *env, struct verifier_state *st, uint32_t idx)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	struct func_state *frame = state_frame(st);
	const struct helper_entry *entry;
	struct helper_call call = { .idx = idx, .func_id = insn->imm, .const_key = -1 };
	int err;

	if (refs_holds_lock(st) && (isa_is_callx(insn) || insn->imm != BPF_FUNC_spin_unlock))
		return types_error(env, idx, -EINVAL,
				   "function calls are not allowed while holding a lock");
	if (isa_is_callx(insn)) { /* the helper is known only at run time */
		err = types_check_reg_init(env, st, idx, insn->dst_reg);
		if (!err)
			user_helper_call(frame);
		return err;
	}
	entry = helper_table_find(&env->prog->vm->helpers, (uint32_t)insn->imm);
	if (!entry && insn->imm == ISA_CORE_POISON_HELPER) /* the kernel's words */
		return types_error(env, idx, -EINVAL, "invalid func unknown#%d", insn->imm);
	if (!entry || !entry->proto) {
		err = queue_callback(env, st, idx);
		if (!err)
			user_helper_call(frame);
		return err;
	}
	call.proto = entry->proto;
	call.name = entry->name;
	err = check_allowed(env, st, &call);
	if (!err)
		err = helper_check_args(env, st, &call);
	if (!err)
		err = check_readonly_map(env, &call);
	if (!err)
		err = check_tail_call(env, st, &call);
	if (!err)
		err = release_argument(env, st, &call);
	if (!err)
		err = queue_callback(env, st, idx);
	if (err)
		return err;
	types_clobber_caller_saved(frame);
	/* A program tail-called from a subprogram returns to its caller, and
	 * may have moved the packet (Linux 6.18; from the main program, a
	 * tail call that returns has failed and changed nothing). */
	if (changes_packet_data(call.func_id) ||
	    (call.func_id == BPF_FUNC_tail_call && st->curframe > 0))
		forget_packet_pointers(st);
	err = helper_result(env, st, &call, &frame->regs[BPF_REG_0]);
	if (!err)
		helper_refine_retval(&call, &frame->regs[BPF_REG_0]);
	return err ? err : helper_check_map_compat(env, &call);
}
