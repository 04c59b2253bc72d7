/* Static precision: which scalars the path exploration must compare.
 *
 * A checkpoint covers a new state when every value the new state may hold
 * is one the checkpoint's exploration has proved safe. For most scalars the
 * value cannot change that proof: a counter of packets, a flag built up by
 * independent branches, a value stored into a map. Only a scalar that flows
 * into a use where its value matters (the kernel marks these "precise" with
 * mark_chain_precision) must lie in the checkpoint's range:
 *
 *   - an operand of a conditional jump (it decides which paths exist);
 *   - an operand of a register add or subtract where either operand may be
 *     a pointer (the scalar is then the pointer's offset);
 *   - a helper argument its prototype names (a size, a flag, a key), a callx
 *     target;
 *   - the index of a legacy packet load;
 *   - r0 at the main program's exit when the program type checks its
 *     return value, and at every subprogram's exit (a callback's helper
 *     checks it, the caller of a subprogram may use it any way). Where the
 *     type returns any value, r0 there is not precise, as in the kernel's
 *     check_return_code, which marks it only when it enforces a range.
 *
 * The kernel finds these uses dynamically, backtracking from each one along
 * the path. bpfvm finds them statically, by a backward data-flow over the
 * program like the liveness (liveness.c): a register is precise before an
 * instruction if it is used as above, or if the instruction computes from it
 * a register or stack slot that is precise after. Which registers may hold
 * a pointer comes from a forward data-flow first (maybe_pointer.h). It is
 * coarser than the kernel's (an add to what may be a pointer on some path
 * is precise on every path; every slot of a frame whose pointer escapes is
 * precise), never finer: a scalar left out is one whose value no path can
 * use where it matters.
 */
#include <errno.h>
#include <stdlib.h>

#include "isa/isa.h"
#include "progtypes/progtype.h"
#include "verifier/helper_uses.h"
#include "verifier/liveness.h"
#include "verifier/maybe_pointer.h"
#include "verifier/precision.h"

#define ALL_SLOTS UINT64_MAX

struct precise {
	uint16_t regs;
	uint64_t slots;
};

struct precision_walk {
	const struct bpfvm_prog *prog;
	bool any_escape;      /* some frame's pointer escapes: stores may hit stacks */
	uint8_t *escapes;     /* per instruction: its frame's pointer escapes */
	uint16_t *pointers;   /* per instruction: the registers that may hold a pointer */
	bool ret_checked;     /* the main program's r0 at exit is range-checked */
	struct precise *in;   /* per instruction */
};

static uint16_t reg_if(bool cond, uint8_t regno)
{
	return cond ? LIVE_REG(regno) : 0;
}

static struct precise alu_transfer(const struct precision_walk *walk, uint32_t idx,
				   const struct bpf_insn *insn, struct precise out)
{
	bool from_reg = isa_source(insn->code) == BPF_X;
	bool dst_precise = out.regs & LIVE_REG(insn->dst_reg);
	uint16_t operands = LIVE_REG(insn->dst_reg) | reg_if(from_reg, insn->src_reg);
	uint8_t op = isa_op(insn->code);

	switch (op) {
	case BPF_MOV:
		out.regs &= (uint16_t)~LIVE_REG(insn->dst_reg);
		out.regs |= reg_if(dst_precise && from_reg, insn->src_reg);
		break;
	case BPF_NEG:
	case BPF_END:
		break;
	case BPF_ADD:
	case BPF_SUB:
		/* pointer + scalar: the scalar is the offset */
		if (from_reg && (walk->pointers[idx] & operands)) {
			out.regs |= operands;
			break;
		}
		out.regs |= reg_if(dst_precise && from_reg, insn->src_reg);
		break;
	default:
		out.regs |= reg_if(dst_precise && from_reg, insn->src_reg);
		break;
	}
	return out;
}

/* A store of register src (or of an immediate, src < 0) to fp+off. */
static struct precise stack_store(const struct bpf_insn *insn, struct precise out, int src)
{
	uint32_t size = isa_size_bytes(insn->code);
	uint64_t touched = verifier_slots_of(insn->off, size);

	if (src >= 0 && (out.slots & touched))
		out.regs |= LIVE_REG(src);
	if (size == 8 && insn->off % 8 == 0)
		out.slots &= ~touched;
	return out;
}

static struct precise mem_transfer(const struct precision_walk *walk, const struct bpf_insn *insn,
				   struct precise out)
{
	uint8_t class = isa_class(insn->code);
	bool dst_precise = out.regs & LIVE_REG(insn->dst_reg);

	switch (class) {
	case BPF_LDX:
		out.regs &= (uint16_t)~LIVE_REG(insn->dst_reg);
		if (dst_precise && insn->src_reg == BPF_REG_10)
			out.slots |= verifier_slots_of(insn->off, isa_size_bytes(insn->code));
		return out;
	case BPF_ST:
		return insn->dst_reg == BPF_REG_10 ? stack_store(insn, out, -1) : out;
	case BPF_STX:
		if (isa_mode(insn->code) == BPF_ATOMIC) {
			/* rare enough to keep whole: the operand and, for the fetch
			 * forms, the register that receives the old value */
			out.regs |= LIVE_REG(insn->src_reg) | reg_if(insn->imm == BPF_CMPXCHG, 0);
			if (insn->dst_reg == BPF_REG_10)
				out.slots |= verifier_slots_of(insn->off, isa_size_bytes(insn->code));
			return out;
		}
		if (insn->dst_reg == BPF_REG_10)
			return stack_store(insn, out, insn->src_reg);
		/* through another pointer, maybe into a stack whose slots are all
		 * precise (an escaping frame) */
		out.regs |= reg_if(walk->any_escape, insn->src_reg);
		return out;
	}
	if (isa_is_lddw(insn->code)) {
		out.regs &= (uint16_t)~LIVE_REG(insn->dst_reg);
		return out;
	}
	/* ld_abs / ld_ind: r1..r5 clobbered, the index is an offset */
	out.regs &= (uint16_t)~LIVE_CALLER_SAVED;
	out.regs |= reg_if(isa_mode(insn->code) == BPF_IND, insn->src_reg);
	return out;
}

/* r0 at the main program's exit matters only where its type checks it. */
static bool exit_uses_r0(const struct precision_walk *walk, uint32_t idx)
{
	const struct bpfvm_prog *prog = walk->prog;
	bool in_main = !prog->subprog_cnt || idx < prog->subprogs[0].end;

	return !in_main || walk->ret_checked;
}

static struct precise jmp_transfer(const struct precision_walk *walk, const struct bpf_insn *insn,
				   uint32_t idx, struct precise out)
{
	uint8_t op = isa_op(insn->code);

	switch (op) {
	case BPF_JA:
		return out;
	case BPF_EXIT:
		out.regs = exit_uses_r0(walk, idx) ? LIVE_REG(0) : 0;
		return out;
	case BPF_CALL:
		out.regs &= (uint16_t)~LIVE_CALLER_SAVED;
		if (isa_is_local_call(insn))
			out.regs |= walk->in[isa_jump_target(insn, idx)].regs & LIVE_ARGS;
		else
			out.regs |= verifier_helper_arg_regs(walk->prog, insn) |
				    reg_if(isa_is_callx(insn), insn->dst_reg);
		return out;
	}
	out.regs |= LIVE_REG(insn->dst_reg) |
		    reg_if(isa_source(insn->code) == BPF_X, insn->src_reg);
	return out;
}

static struct precise precise_out(const struct precision_walk *walk, uint32_t idx)
{
	const struct bpf_insn *insn = &walk->prog->insns[idx];
	uint32_t next = idx + (isa_is_lddw(insn->code) ? 2 : 1);
	struct precise out = { 0 };

	if (isa_is_exit(insn))
		return out;
	if (isa_is_jmp(insn->code) && isa_op(insn->code) != BPF_CALL) {
		out = walk->in[isa_jump_target(insn, idx)];
		if (isa_op(insn->code) == BPF_JA)
			return out;
	}
	if (next < walk->prog->insn_cnt) {
		out.regs |= walk->in[next].regs;
		out.slots |= walk->in[next].slots;
	}
	return out;
}

static struct precise transfer(const struct precision_walk *walk, uint32_t idx)
{
	const struct bpf_insn *insn = &walk->prog->insns[idx];
	struct precise out = precise_out(walk, idx);

	if (isa_is_alu(insn->code))
		out = alu_transfer(walk, idx, insn, out);
	else if (isa_is_jmp(insn->code))
		out = jmp_transfer(walk, insn, idx, out);
	else
		out = mem_transfer(walk, insn, out);
	out.regs &= 0x3ff;
	if (walk->escapes[idx])
		out.slots = ALL_SLOTS;
	return out;
}

static int walk_init(struct precision_walk *walk)
{
	const struct bpfvm_prog *prog = walk->prog;
	uint32_t len = prog->insn_cnt ? prog->insn_cnt : 1;
	int64_t min, max;

	walk->in = calloc(len, sizeof(*walk->in));
	walk->escapes = calloc(len, 1);
	walk->pointers = calloc(len, sizeof(*walk->pointers));
	if (!walk->in || !walk->escapes || !walk->pointers)
		return -ENOMEM;
	verifier_maybe_pointers(prog, walk->pointers);
	walk->ret_checked = !prog->progtype || progtype_ret_range(prog, &min, &max);
	for (uint32_t s = 0; s < prog->subprog_cnt; s++) {
		const struct subprog *sub = &prog->subprogs[s];

		if (!verifier_frame_escapes(prog, sub))
			continue;
		walk->any_escape = true;
		for (uint32_t i = sub->start; i < sub->end; i++)
			walk->escapes[i] = 1;
	}
	return 0;
}

int verifier_precision(const struct bpfvm_prog *prog, uint16_t **regs, uint64_t **slots)
{
	struct precision_walk walk = { .prog = prog };
	uint32_t len = prog->insn_cnt ? prog->insn_cnt : 1;
	bool changed = true;
	int err = walk_init(&walk);

	*regs = err ? NULL : calloc(len, sizeof(**regs));
	*slots = err ? NULL : calloc(len, sizeof(**slots));
	while (!err && *regs && *slots && changed) {
		changed = false;
		for (uint32_t i = prog->insn_cnt; i-- > 0;) {
			struct precise in;

			if (i > 0 && isa_is_lddw(prog->insns[i - 1].code))
				continue; /* second half of lddw */
			in = transfer(&walk, i);
			if (in.regs != walk.in[i].regs || in.slots != walk.in[i].slots) {
				walk.in[i] = in;
				changed = true;
			}
		}
	}
	if (!err && *regs && *slots) {
		for (uint32_t i = 0; i < prog->insn_cnt; i++) {
			(*regs)[i] = walk.in[i].regs;
			(*slots)[i] = walk.in[i].slots;
		}
	} else {
		err = -ENOMEM;
		free(*regs);
		free(*slots);
		*regs = NULL;
		*slots = NULL;
	}
	free(walk.in);
	free(walk.escapes);
	free(walk.pointers);
	return err;
}
