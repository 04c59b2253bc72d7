/* Helper calls on abstract states: the arguments checked against the
 * helper's prototype (helpers/helper_proto.h), callbacks queued as paths of
 * their own, caller-saved registers clobbered and r0 typed from the return
 * type (the kernel's check_helper_call). */
#include <errno.h>
#include <string.h>

#include "core/runtime.h"
#include "helpers/helper_proto.h"
#include "helpers/helper_table.h"
#include "maps/map.h"
#include "verifier/types_env.h"

/* A callback's arguments, as the kernel's set_*_callback_state(): what the
 * helper passes, with the caller's callback context forwarded. */
static void callback_args(const struct func_state *caller, int32_t helper,
			  struct func_state *callee)
{
	struct reg_state *r = callee->regs;

	for (int i = BPF_REG_1; i <= BPF_REG_5; i++)
		reg_mark_unknown(&r[i]);
	switch (helper) {
	case BPF_FUNC_loop: /* long cb(u64 index, void *ctx) */
		r[BPF_REG_2] = caller->regs[BPF_REG_3];
		break;
	case BPF_FUNC_for_each_map_elem: /* long cb(map, key, value, ctx) */
		r[BPF_REG_1] = caller->regs[BPF_REG_1];
		reg_mark_pointer(&r[BPF_REG_2], REG_PTR_TO_MEM, 0);
		reg_mark_pointer(&r[BPF_REG_3], REG_PTR_TO_MAP_VALUE, 0);
		r[BPF_REG_3].map = caller->regs[BPF_REG_1].map;
		r[BPF_REG_4] = caller->regs[BPF_REG_3];
		break;
	case BPF_FUNC_timer_set_callback: /* int cb(map, key, value) */
		reg_mark_pointer(&r[BPF_REG_2], REG_PTR_TO_MEM, 0);
		reg_mark_pointer(&r[BPF_REG_3], REG_PTR_TO_MEM, 0);
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
	callback_args(caller, insn->imm, callee);
	st->frames[frameno] = callee;
	st->curframe = frameno;
	err = types_push_path(env, st, start);
	st->frames[frameno] = NULL;
	st->curframe = frameno - 1;
	func_state_free(callee);
	return err;
}

/* Whether a lookup in the map that r1 holds yields an inner map. */
static bool is_map_of_maps(const struct types_env *env, const struct reg_state *map_reg)
{
	uint32_t type;

	if (reg_base_type(map_reg) != REG_CONST_PTR_TO_MAP || map_reg->map >= env->prog->map_cnt)
		return false;
	type = map_type(env->prog->maps[map_reg->map]);
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

/* r0 after a helper, from its prototype's return type (the kernel's
 * check_helper_call); helpers registered by users return RET_INTEGER.
 * `args` are the registers before the call. */
static void helper_result(struct types_env *env, const struct helper_proto *proto,
			  const struct reg_state *args, struct reg_state *r0)
{
	enum helper_ret ret = proto ? proto->ret : RET_INTEGER;

	switch (ret) {
	case RET_VOID:
		reg_mark_not_init(r0);
		return;
	case RET_PTR_TO_MAP_VALUE_OR_NULL:
		if (is_map_of_maps(env, &args[BPF_REG_1])) { /* the inner map */
			reg_mark_pointer(r0, REG_CONST_PTR_TO_MAP | REG_MAYBE_NULL, 0);
			r0->map = UINT32_MAX;
		} else {
			reg_mark_pointer(r0, REG_PTR_TO_MAP_VALUE | REG_MAYBE_NULL, 0);
			r0->map = args[BPF_REG_1].map;
		}
		break;
	case RET_PTR_TO_MAP_OR_NULL:
		reg_mark_pointer(r0, REG_CONST_PTR_TO_MAP | REG_MAYBE_NULL, 0);
		r0->map = UINT32_MAX;
		break;
	case RET_PTR_TO_RINGBUF_MEM_OR_NULL:
		reg_mark_pointer(r0, REG_PTR_TO_RINGBUF_MEM | REG_MAYBE_NULL, 0);
		break;
	default:
		reg_mark_unknown(r0);
		return;
	}
	r0->id = ++env->next_id;
}

int types_step_helper_call(struct types_env *env, struct verifier_state *st, uint32_t idx)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	struct func_state *frame = state_frame(st);
	const struct helper_entry *entry;
	struct reg_state args[REG_COUNT];
	int err;

	if (isa_is_callx(insn)) { /* the helper is known only at run time */
		err = types_check_reg_init(env, st, idx, insn->dst_reg);
		entry = NULL;
	} else {
		err = queue_callback(env, st, idx);
		entry = helper_table_find(&env->prog->vm->helpers, (uint32_t)insn->imm);
	}
	if (err)
		return err;
	/* Arguments are checked against the prototype by the verifier issue. */
	memcpy(args, frame->regs, sizeof(args));
	types_clobber_caller_saved(frame);
	helper_result(env, entry ? entry->proto : NULL, args, &frame->regs[BPF_REG_0]);
	return 0;
}
