/* Static register liveness, a backward data-flow over every subprogram.
 *
 * The path exploration compares a state with the states already seen at the
 * same instruction; registers that no path from there reads cannot make a
 * difference, so they are left out of the comparison (the kernel learns the
 * same thing dynamically with its REG_LIVE_READ marks).
 *
 *   live_in(i) = use(i) | (live_out(i) & ~def(i)),  live_out(i) = U live_in(succ)
 *
 * A local call reads the arguments its callee reads (the callee's live-in
 * within r1..r5) and leaves r6..r9 as they were; a helper call reads the
 * arguments its prototype names (helper_uses.c); an exit reads r0. Iterated
 * to a fixed point, from the last instruction up.
 *
 * Stack slots get the same treatment where the frame pointer is only ever
 * the base of loads and stores (`*(u64 *)(r10 -8) = r1`): a load uses the
 * slots it reads, an aligned 8-byte store kills its slot. Once r10 escapes
 * (`r2 = r10`, r10 in arithmetic or compared), accesses can come from
 * anywhere, callees and helpers included, so every slot stays live. */
#include <stdbool.h>
#include <stdlib.h>

#include "isa/isa.h"
#include "verifier/helper_uses.h"
#include "verifier/liveness.h"

struct use_def {
	uint16_t use, def;
};

static struct use_def alu_use_def(const struct bpf_insn *insn)
{
	uint16_t dst = LIVE_REG(insn->dst_reg);
	uint16_t src = isa_source(insn->code) == BPF_X ? LIVE_REG(insn->src_reg) : 0;

	if (isa_op(insn->code) == BPF_MOV)
		return (struct use_def){ .use = src, .def = dst };
	if (isa_op(insn->code) == BPF_NEG || isa_op(insn->code) == BPF_END)
		src = 0;
	return (struct use_def){ .use = dst | src, .def = dst };
}

static struct use_def atomic_use_def(const struct bpf_insn *insn)
{
	struct use_def ud = { .use = LIVE_REG(insn->dst_reg) | LIVE_REG(insn->src_reg) };

	if (insn->imm == BPF_CMPXCHG) {
		ud.use |= LIVE_REG(0);
		ud.def = LIVE_REG(0);
	} else if (insn->imm & BPF_FETCH) {
		ud.def = LIVE_REG(insn->src_reg);
	}
	return ud;
}

static struct use_def jmp_use_def(const struct bpfvm_prog *prog, const uint16_t *live,
				  const struct bpf_insn *insn, uint32_t idx)
{
	uint8_t op = isa_op(insn->code);

	if (isa_is_local_call(insn)) {
		uint32_t target = (uint32_t)isa_jump_target(insn, idx);

		return (struct use_def){ .use = live[target] & LIVE_ARGS, .def = LIVE_CALLER_SAVED };
	}
	if (op == BPF_CALL) /* a helper: the arguments its prototype names */
		return (struct use_def){ .use = verifier_helper_arg_regs(prog, insn) |
						(isa_is_callx(insn) ? LIVE_REG(insn->dst_reg) : 0),
					 .def = LIVE_CALLER_SAVED };
	if (op == BPF_EXIT)
		return (struct use_def){ .use = LIVE_REG(0) };
	if (op == BPF_JA)
		return (struct use_def){ 0 };
	return (struct use_def){ .use = LIVE_REG(insn->dst_reg) |
					(isa_source(insn->code) == BPF_X ? LIVE_REG(insn->src_reg) : 0) };
}

static struct use_def insn_use_def(const struct bpfvm_prog *prog, const uint16_t *live,
				   uint32_t idx)
{
	const struct bpf_insn *insn = &prog->insns[idx];
	uint8_t mode = isa_mode(insn->code);

	switch (isa_class(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		return alu_use_def(insn);
	case BPF_JMP:
	case BPF_JMP32:
		return jmp_use_def(prog, live, insn, idx);
	case BPF_LDX:
		return (struct use_def){ .use = LIVE_REG(insn->src_reg), .def = LIVE_REG(insn->dst_reg) };
	case BPF_ST:
		return (struct use_def){ .use = LIVE_REG(insn->dst_reg) };
	case BPF_STX:
		if (mode == BPF_ATOMIC)
			return atomic_use_def(insn);
		return (struct use_def){ .use = LIVE_REG(insn->dst_reg) | LIVE_REG(insn->src_reg) };
	default: /* BPF_LD */
		if (isa_is_lddw(insn->code))
			return (struct use_def){ .def = LIVE_REG(insn->dst_reg) };
		return (struct use_def){ .use = LIVE_REG(6) | (mode == BPF_IND ? LIVE_REG(insn->src_reg) : 0),
					 .def = LIVE_CALLER_SAVED };
	}
}

/* ---- registers ---------------------------------------------------------- */

static uint16_t live_out(const struct bpfvm_prog *prog, const uint16_t *live, uint32_t idx)
{
	const struct bpf_insn *insn = &prog->insns[idx];
	uint32_t next = idx + (isa_is_lddw(insn->code) ? 2 : 1);
	uint16_t out = 0;

	if (isa_is_exit(insn))
		return 0;
	if (isa_is_jmp(insn->code) && isa_op(insn->code) != BPF_CALL) {
		out = live[isa_jump_target(insn, idx)];
		if (isa_op(insn->code) == BPF_JA)
			return out;
	}
	if (next < prog->insn_cnt)
		out |= live[next];
	return out;
}

uint16_t *verifier_reg_liveness(const struct bpfvm_prog *prog)
{
	uint16_t *live = calloc(prog->insn_cnt ? prog->insn_cnt : 1, sizeof(*live));
	bool changed = true;

	if (!live)
		return NULL;
	while (changed) {
		changed = false;
		for (uint32_t i = prog->insn_cnt; i-- > 0;) {
			struct use_def ud;
			uint16_t in;

			if (i > 0 && isa_is_lddw(prog->insns[i - 1].code))
				continue; /* second half of lddw */
			ud = insn_use_def(prog, live, i);
			in = (uint16_t)((ud.use | (live_out(prog, live, i) & ~ud.def)) & 0x3ff);
			if (in != live[i]) {
				live[i] = in;
				changed = true;
			}
		}
	}
	return live;
}

/* ---- stack slots ---------------------------------------------------------- */

#define ALL_SLOTS UINT64_MAX

/* Whether insn uses r10 other than as the base of a load or store. */
static bool frame_pointer_escapes(const struct bpf_insn *insn)
{
	uint8_t class = isa_class(insn->code);

	if (class == BPF_LDX || class == BPF_ST)
		return false;
	if (class == BPF_STX)
		return insn->src_reg == BPF_REG_10;
	if (isa_is_alu(insn->code))
		return (isa_source(insn->code) == BPF_X && insn->src_reg == BPF_REG_10) ||
		       insn->dst_reg == BPF_REG_10;
	if (isa_is_jmp(insn->code) && isa_op(insn->code) != BPF_CALL &&
	    isa_op(insn->code) != BPF_EXIT && isa_op(insn->code) != BPF_JA)
		return insn->dst_reg == BPF_REG_10 ||
		       (isa_source(insn->code) == BPF_X && insn->src_reg == BPF_REG_10);
	return false;
}

uint64_t verifier_slots_of(int32_t off, uint32_t size)
{
	uint64_t mask = 0;

	for (int64_t byte = off; byte < (int64_t)off + size; byte++)
		if (byte < 0 && byte >= -ISA_MAX_STACK)
			mask |= 1ull << ((-byte - 1) / 8);
	return mask;
}

struct slot_use_def {
	uint64_t use, def;
};

static struct slot_use_def slot_use_def(const struct bpf_insn *insn)
{
	uint8_t class = isa_class(insn->code);
	uint32_t size = isa_size_bytes(insn->code);

	if (class == BPF_LDX && insn->src_reg == BPF_REG_10)
		return (struct slot_use_def){ .use = verifier_slots_of(insn->off, size) };
	if ((class != BPF_ST && class != BPF_STX) || insn->dst_reg != BPF_REG_10)
		return (struct slot_use_def){ 0 };
	if (class == BPF_STX && isa_mode(insn->code) == BPF_ATOMIC)
		return (struct slot_use_def){ .use = verifier_slots_of(insn->off, size) };
	if (size == 8 && insn->off % 8 == 0)
		return (struct slot_use_def){ .def = verifier_slots_of(insn->off, size) };
	return (struct slot_use_def){ 0 };
}

static uint64_t slots_live_out(const struct bpfvm_prog *prog, const uint64_t *live, uint32_t idx)
{
	const struct bpf_insn *insn = &prog->insns[idx];
	uint32_t next = idx + (isa_is_lddw(insn->code) ? 2 : 1);
	uint64_t out = 0;

	if (isa_is_exit(insn))
		return 0;
	if (isa_is_jmp(insn->code) && isa_op(insn->code) != BPF_CALL) {
		out = live[isa_jump_target(insn, idx)];
		if (isa_op(insn->code) == BPF_JA)
			return out;
	}
	if (next < prog->insn_cnt)
		out |= live[next];
	return out;
}

bool verifier_frame_escapes(const struct bpfvm_prog *prog, const struct subprog *sub)
{
	for (uint32_t i = sub->start; i < sub->end; i++)
		if (frame_pointer_escapes(&prog->insns[i]))
			return true;
	return false;
}

static void mark_escaping_frames(const struct bpfvm_prog *prog, uint64_t *live)
{
	for (uint32_t s = 0; s < prog->subprog_cnt; s++) {
		const struct subprog *sub = &prog->subprogs[s];

		if (verifier_frame_escapes(prog, sub))
			for (uint32_t i = sub->start; i < sub->end; i++)
				live[i] = ALL_SLOTS;
	}
}

uint64_t *verifier_stack_liveness(const struct bpfvm_prog *prog)
{
	uint64_t *live = calloc(prog->insn_cnt ? prog->insn_cnt : 1, sizeof(*live));
	uint8_t *fixed = calloc(prog->insn_cnt ? prog->insn_cnt : 1, 1);
	bool changed = true;

	if (!live || !fixed) {
		free(live);
		free(fixed);
		return NULL;
	}
	mark_escaping_frames(prog, live);
	for (uint32_t i = 0; i < prog->insn_cnt; i++)
		fixed[i] = live[i] == ALL_SLOTS;
	while (changed) {
		changed = false;
		for (uint32_t i = prog->insn_cnt; i-- > 0;) {
			struct slot_use_def ud;
			uint64_t in;

			if (fixed[i] || (i > 0 && isa_is_lddw(prog->insns[i - 1].code)))
				continue;
			ud = slot_use_def(&prog->insns[i]);
			in = ud.use | (slots_live_out(prog, live, i) & ~ud.def);
			if (in != live[i]) {
				live[i] = in;
				changed = true;
			}
		}
	}
	free(fixed);
	return live;
}
