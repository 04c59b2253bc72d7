/* Spills and fills: what a stack slot holds after a write, and what a read
 * of it gives (the kernel's check_stack_write_fixed_off and
 * check_stack_read_fixed_off). An aligned 8-byte write of a register keeps
 * the register whole, pointer or scalar, so that the context spilled under
 * register pressure and filled back is still the context. A narrower write
 * of a scalar (or of an immediate) at the start of a slot is a narrow
 * spill: its low bytes, read back as the scalar by a load of at most that
 * size from the same place. Other writes leave data bytes; a pointer must
 * be spilled whole. */
#include <errno.h>
#include <string.h>

#include "verifier/scalar.h"
#include "verifier/types_env.h"

static int slot_or_error(struct types_env *env, uint32_t idx, struct func_state *frame,
			 int32_t off, struct stack_slot **slot)
{
	*slot = func_state_slot(frame, off);
	if (!*slot)
		return types_error(env, idx, -ENOMEM, "out of memory");
	/* The frame's depth is what the proof touches (types.c). */
	if ((uint32_t)-off > env->stack_used[frame->subprog])
		env->stack_used[frame->subprog] = (uint32_t)-off;
	return 0;
}

/* A spill partly overwritten is data: its written bytes become data, as
 * the kernel's scrub_spilled_slot (bytes never written stay so). */
static void slot_scrub_spill(struct stack_slot *slot)
{
	if (slot->bytes[0] != SLOT_SPILL)
		return;
	for (uint32_t i = 0; i < STACK_SLOT_SIZE; i++)
		if (slot->bytes[i] != SLOT_INVALID)
			slot->bytes[i] = SLOT_MISC;
	reg_mark_not_init(&slot->spilled);
}

static void slot_mark_data(struct stack_slot *slot, uint32_t first, uint32_t size, bool zero)
{
	slot_scrub_spill(slot);
	memset(slot->bytes + first, zero ? SLOT_ZERO : SLOT_MISC, size);
}

/* A spill of `size` bytes (save_register_state): the bytes above a narrow
 * one keep what they were, data if they were the old spill's. A narrowing
 * spill breaks the link between the copy and the register. */
static void slot_spill(struct stack_slot *slot, const struct reg_state *value, uint32_t size)
{
	for (uint32_t i = size; i < STACK_SLOT_SIZE; i++)
		if (slot->bytes[i] == SLOT_SPILL)
			slot->bytes[i] = SLOT_MISC;
	slot->spilled = *value;
	if (size < STACK_SLOT_SIZE && reg_width(value) > size * 8)
		slot->spilled.id = 0;
	memset(slot->bytes, SLOT_SPILL, size);
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
	/* An aligned write of a register, or of an immediate, is a spill; a
	 * narrow one only of a scalar. */
	if (first == 0 && (size == STACK_SLOT_SIZE || !value || !reg_is_pointer(value)) &&
	    (value || imm_known)) {
		struct reg_state imm_reg;

		if (!value) {
			memset(&imm_reg, 0, sizeof(imm_reg));
			reg_mark_const(&imm_reg, (uint64_t)imm);
			value = &imm_reg;
		}
		slot_spill(slot, value, size);
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

/* The low `size` bytes of a spilled scalar, as a load of them gives them
 * (copy_register_state, then coerce_reg_to_size). A 4-byte fill of a
 * 4-byte spill of a 32-bit value is a copy and shares its id; a narrowing
 * fill does not. */
static void narrow_fill(struct types_env *env, struct stack_slot *slot, uint32_t size,
			bool sign_extend, struct reg_state *dst)
{
	if (size == 4 && slot_spill_size(slot) == 4 && reg_width(&slot->spilled) <= 32)
		scalar_link_before_copy(&slot->spilled, &env->next_id);
	*dst = slot->spilled;
	if (reg_width(&slot->spilled) > size * 8)
		dst->id = 0;
	scalar_coerce_load(dst, size, sign_extend);
}

int types_stack_read(struct types_env *env, uint32_t idx, struct func_state *frame, int32_t off, uint32_t size, struct reg_state *dst)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	bool sign_extend = isa_mode(insn->code) == BPF_MEMSX;
	uint32_t first = (uint32_t)(off & (STACK_SLOT_SIZE - 1));
	struct stack_slot *slot;
	uint32_t spill_size;
	bool zero = true;
	int err = slot_or_error(env, idx, frame, off, &slot);

	if (err)
		return err;
	spill_size = slot_spill_size(slot);
	if (spill_size == STACK_SLOT_SIZE && size == STACK_SLOT_SIZE) {
		*dst = slot->spilled;
		return 0;
	}
	if (spill_size && reg_is_pointer(&slot->spilled))
		return types_error(env, idx, -EACCES, "invalid size of register fill");
	if (spill_size && size <= spill_size && first == 0) {
		narrow_fill(env, slot, size, sign_extend, dst);
		return 0;
	}
	/* Bytes of a spill read with others (or past it) are data; a read of
	 * zeros only (a spilled zero counts) is zero. Bytes never written read
	 * as unknown data: a privileged program may (allow_uninit_stack). */
	for (uint32_t i = first; i < first + size; i++)
		zero &= slot->bytes[i] == SLOT_ZERO ||
			(slot->bytes[i] == SLOT_SPILL && reg_is_const(&slot->spilled) &&
			 slot->spilled.var_off.value == 0);
	if (zero)
		reg_mark_const(dst, 0);
	else
		reg_mark_unknown_bits(dst, sign_extend ? 64 : size * 8);
	return 0;
}
