/* The forward pointer analysis of maybe_pointer.h. */
#include "isa/isa.h"
#include "verifier/liveness.h"
#include "verifier/maybe_pointer.h"

#define ALL_REGS ((uint16_t)0x7ff) /* r0..r10 */

static uint16_t reg_if(bool cond, uint8_t regno)
{
	return cond ? LIVE_REG(regno) : 0;
}

/* The registers that may hold a pointer after insn, from those before. */
static uint16_t pointers_after(const struct bpf_insn *insn, uint16_t in)
{
	uint16_t dst = LIVE_REG(insn->dst_reg), src = LIVE_REG(insn->src_reg);
	bool from_reg = isa_source(insn->code) == BPF_X;
	uint8_t class = isa_class(insn->code), op = isa_op(insn->code);

	if (isa_is_alu(insn->code)) {
		bool is64 = class == BPF_ALU64;

		if (is64 && from_reg && op == BPF_MOV)
			return (uint16_t)((in & ~dst) | ((in & src) ? dst : 0));
		if (is64 && from_reg && (op == BPF_ADD || op == BPF_SUB))
			return (in & src) ? (uint16_t)(in | dst) : in;
		if (is64 && !from_reg && (op == BPF_ADD || op == BPF_SUB))
			return in;
		return (uint16_t)(in & ~dst); /* a scalar, or refused on a pointer */
	}
	if (isa_is_jmp(insn->code))
		return op == BPF_CALL ? (uint16_t)(in | LIVE_CALLER_SAVED) : in;
	if (class == BPF_LDX)
		return (uint16_t)(in | dst);
	if (class == BPF_STX && isa_mode(insn->code) == BPF_ATOMIC)
		return (uint16_t)(in | ((insn->imm & BPF_FETCH) ? src : 0) |
				  reg_if(insn->imm == BPF_CMPXCHG, 0));
	if (isa_is_lddw(insn->code))
		return (uint16_t)(insn->src_reg ? in | dst : in & ~dst);
	if (class == BPF_LD) /* ld_abs / ld_ind: r0 a scalar, r1..r5 clobbered */
		return (uint16_t)((in & ~LIVE_REG(0)) | LIVE_ARGS);
	return in;
}

static bool pointers_flow(uint16_t *pointers, uint32_t to, uint16_t regs)
{
	uint16_t joined = pointers[to] | regs;

	if (joined == pointers[to])
		return false;
	pointers[to] = joined;
	return true;
}

void verifier_maybe_pointers(const struct bpfvm_prog *prog, uint16_t *pointers)
{
	bool changed = true;

	pointers[0] = ALL_REGS;
	for (uint32_t s = 0; s < prog->subprog_cnt; s++)
		if (prog->subprogs[s].start < prog->insn_cnt)
			pointers[prog->subprogs[s].start] = ALL_REGS;
	while (changed) {
		changed = false;
		for (uint32_t i = 0; i < prog->insn_cnt; i++) {
			const struct bpf_insn *insn = &prog->insns[i];
			uint32_t next = i + (isa_is_lddw(insn->code) ? 2 : 1);
			uint16_t out = (uint16_t)(pointers_after(insn, pointers[i]) | LIVE_REG(10));
			bool jump = isa_is_jmp(insn->code) && isa_op(insn->code) != BPF_CALL;

			if (isa_is_exit(insn))
				continue;
			if (jump && isa_jump_target(insn, i) < prog->insn_cnt)
				changed |= pointers_flow(pointers, isa_jump_target(insn, i), out);
			if ((!jump || isa_op(insn->code) != BPF_JA) && next < prog->insn_cnt)
				changed |= pointers_flow(pointers, next, out);
			if (isa_is_lddw(insn->code))
				i++;
		}
	}
}
