/* Spills and fills: what a stack slot holds after a write, and what a read
 * of it gives (the kernel's check_stack_write_fixed_off and
 * check_stack_read_fixed_off). An aligned 8-byte write of a register keeps
 * the register whole, pointer or scalar, so that the context spilled under
 * register pressure and filled back is still the context. Narrower writes
 * leave data bytes; a pointer must be spilled whole. */
#include <errno.h>
#include <string.h>

#include "verifier/types_env.h"

static int slot_or_error(struct types_env *env, uint32_t idx, struct func_state *frame,
			 int32_t off, struct stack_slot **slot)
{
	*slot = func_state_slot(frame, off);
	if (!*slot)
		return types_error(env, idx, -ENOMEM, "out of memory");
	return 0;
}

static void slot_mark_data(struct stack_slot *slot, uint32_t first, uint32_t size, bool zero)
{
	if (slot->bytes[0] == SLOT_SPILL) { /* a spill partly overwritten is data */
		memset(slot->bytes, SLOT_MISC, sizeof(slot->bytes));
		reg_mark_not_init(&slot->spilled);
	}
	memset(slot->bytes + first, zero ? SLOT_ZERO : SLOT_MISC, size);
}

int types_stack_write(struct types_env *env, struct verifier_state *st, uint32_t idx,
		      struct func_state *frame, int32_t off, uint32_t size,
		      const struct reg_state *value, bool imm_known, int64_t imm)
{
	struct stack_slot *slot;
	uint32_t first = (uint32_t)(off & (STACK_SLOT_SIZE - 1)); /* byte within the slot */
	int err = slot_or_error(env, idx, frame, off, &slot);

	if (err)
		return err;
	if (value && reg_is_pointer(value)) {
		if (size != STACK_SLOT_SIZE)
			return types_error(env, idx, -EACCES, "invalid size of register spill");
		if (reg_base_type(value) == REG_PTR_TO_STACK && frame->frameno != st->curframe)
			return types_error(env, idx, -EINVAL,
					   "cannot spill pointers to stack into stack frame of the caller");
	}
	if (size == STACK_SLOT_SIZE && (value || imm_known)) {
		if (value)
			slot->spilled = *value;
		else
			reg_mark_const(&slot->spilled, (uint64_t)imm);
		memset(slot->bytes, SLOT_SPILL, sizeof(slot->bytes));
		return 0;
	}
	slot_mark_data(slot, first, size,
		       value ? reg_is_const(value) && value->var_off.value == 0 : imm_known && imm == 0);
	return 0;
}

int types_stack_write_var(struct types_env *env, uint32_t idx, struct func_state *frame,
			  int64_t min_off, int64_t max_off)
{
	if (min_off < -ISA_MAX_STACK)
		min_off = -ISA_MAX_STACK;
	if (max_off > 0)
		max_off = 0;
	for (int64_t off = min_off; off < max_off; off++) {
		struct stack_slot *slot;
		int err = slot_or_error(env, idx, frame, (int32_t)off, &slot);

		if (err)
			return err;
		slot_mark_data(slot, (uint32_t)(off & (STACK_SLOT_SIZE - 1)), 1, false);
	}
	return 0;
}

int types_stack_read(struct types_env *env, uint32_t idx, struct func_state *frame, int32_t off, uint32_t size, struct reg_state *dst)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	bool sign_extend = isa_mode(insn->code) == BPF_MEMSX;
	uint32_t first = (uint32_t)(off & (STACK_SLOT_SIZE - 1));
	struct stack_slot *slot;
	bool zero = true;
	int err = slot_or_error(env, idx, frame, off, &slot);

	if (err)
		return err;
	if (slot->bytes[0] == SLOT_SPILL) {
		if (size == STACK_SLOT_SIZE) {
			*dst = slot->spilled;
			return 0;
		}
		if (reg_is_pointer(&slot->spilled))
			return types_error(env, idx, -EACCES, "invalid size of register fill");
		zero = reg_is_const(&slot->spilled) && slot->spilled.var_off.value == 0;
	} else {
		for (uint32_t i = first; i < first + size; i++)
			zero &= slot->bytes[i] == SLOT_ZERO;
	}
	/* Bytes never written read as unknown data here; the verifier issue
	 * refuses them once helpers say which stack memory they fill. */
	if (zero)
		reg_mark_const(dst, 0);
	else
		reg_mark_unknown_bits(dst, sign_extend ? 64 : size * 8);
	return 0;
}
