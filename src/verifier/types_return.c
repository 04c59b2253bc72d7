/* Return values, as the kernel's check_return_code and prepare_func_exit:
 * at the main program's exit, nothing held (no lock, no unreleased
 * reference) and r0 in the program type's range (progtype_ret_range(), by
 * the attach type where the kernel makes it depend on it); at a
 * callback's exit, r0 a scalar in the range its helper allows. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "progtypes/progtype.h"
#include "verifier/refs.h"
#include "verifier/types_env.h"

struct ret_range {
	int32_t min, max;
};

/* The program's range (progtype_ret_range: the type's, or the attach
 * type's where the kernel makes it depend on it); false if any value may be
 * returned. */
static bool program_range(const struct bpfvm_prog *prog, struct ret_range *range)
{
	int64_t min, max;

	if (!progtype_ret_range(prog, &min, &max))
		return false;
	*range = (struct ret_range){ (int32_t)min, (int32_t)max };
	return true;
}

/* What a callback of `helper` may return (the callback_ret_range that the
 * kernel's set_*_callback_state give). */
static struct ret_range callback_range(int32_t helper)
{
	switch (helper) {
	case BPF_FUNC_timer_set_callback:
		return (struct ret_range){ 0, 0 };
	default: /* bpf_loop, for_each_map_elem, find_vma, user_ringbuf_drain */
		return (struct ret_range){ 0, 1 };
	}
}

/* verbose_invalid_scalar: "<where> the register R0 has smin=.. smax=..
 * should have been in [min, max]". */
static int invalid_scalar(struct types_env *env, uint32_t idx, const struct reg_state *r0,
			  const char *where, struct ret_range range)
{
	char smin[32] = "", smax[32] = "";

	if (r0->smin > INT64_MIN)
		snprintf(smin, sizeof(smin), " smin=%" PRId64, r0->smin);
	if (r0->smax < INT64_MAX)
		snprintf(smax, sizeof(smax), " smax=%" PRId64, r0->smax);
	return types_error(env, idx, -EINVAL, "%s the register R0 has%s%s%s should have been in "
			   "[%d, %d]", where, smin, smax, smin[0] || smax[0] ? "" :
			   " unknown scalar value", range.min, range.max);
}

static bool in_range(const struct reg_state *r0, struct ret_range range)
{
	return r0->smin >= range.min && r0->smax <= range.max;
}

/* check_return_code's return_32bit: an LSM hook returns an int, so only
 * r0's low half counts (`return -EPERM` compiles to w0 = -1). */
static bool return_32bit(const struct bpfvm_prog *prog)
{
	return prog->type == BPF_PROG_TYPE_LSM && prog->expected_attach_type != BPF_LSM_CGROUP;
}

static bool in_range32(const struct reg_state *r0, struct ret_range range)
{
	return r0->s32_min >= range.min && r0->s32_max <= range.max;
}

static int check_callback_return(struct types_env *env, const struct func_state *callee,
				 uint32_t idx)
{
	const struct reg_state *r0 = &callee->regs[BPF_REG_0];
	struct ret_range range = callback_range(env->prog->insns[callee->callsite].imm);

	if (r0->type != REG_SCALAR)
		return types_error(env, idx, -EACCES, "R0 not a scalar value");
	if (!in_range(r0, range))
		return invalid_scalar(env, idx, r0, "At callback return", range);
	return 0;
}

static int check_program_return(struct types_env *env, const struct verifier_state *st,
				uint32_t idx)
{
	const struct reg_state *r0 = &st->frames[0]->regs[BPF_REG_0];
	struct ret_range range;
	char name[32];
	int err = refs_check_leak(env, st, idx, "BPF_EXIT instruction in main prog");

	if (err || !program_range(env->prog, &range))
		return err;
	if (r0->type != REG_SCALAR)
		return types_error(env, idx, -EINVAL,
				   "At program exit the register R0 is not a known value (%s)",
				   reg_name(r0, name, sizeof(name)));
	if (!(return_32bit(env->prog) ? in_range32(r0, range) : in_range(r0, range)))
		return invalid_scalar(env, idx, r0, "At program exit", range);
	return 0;
}

int types_check_return(struct types_env *env, struct verifier_state *st, uint32_t idx)
{
	const struct func_state *frame = state_frame(st);

	if (st->curframe && frame->callback)
		return check_callback_return(env, frame, idx);
	return check_program_return(env, st, idx);
}
