/* Decoding a checked program into the interpreter's threaded form.
 *
 * Everything the handlers would otherwise compute per instruction is done
 * once here: the handler (opcode class, source, width and signedness folded
 * into one label), sign-extended immediates, jump targets as pointers, helper
 * functions, and the budget cost of each jump.
 *
 * The budget: straight-line code and forward jumps cannot run longer than
 * what they jump over, so only two things are charged: a backward jump, with
 * the length of the loop it closes, and a local call, with the length of the
 * callee (a call fan-out re-runs straight-line code without any loop: eight
 * levels of 40 calls each is 40^7 runs of the last one). Every executed
 * instruction is thus covered by some charge, and a run stops after at most
 * about `insn_budget` instructions.
 *
 * A loop's length is that of the longest loop closed at its head: every
 * backward jump to one target costs the same, the largest distance from a
 * jump to that target, whichever jump is taken. So the JIT charges once per
 * head, in a block in front of it that every backward jump to the head goes
 * through (jit_compile.c), and a back edge is a plain jump, as in the
 * kernel's code: a switch in a loop has one back edge per case. A run
 * stopped there is stopped at the head, before its next round.
 */
#include <errno.h>
#include <stdlib.h>

#include "core/error.h"
#include "core/runtime.h"
#include "engine/interp.h"
#include "engine/prog.h"
#include "helpers/helper_per_type.h"
#include "isa/isa.h"
#include "maps/fd_array.h"
#include "maps/map.h"

/* Position of an ALU operation inside one INTERP_ALU_OPS block. */
static int alu_block_index(uint8_t op, int16_t off)
{
	switch (op) {
	case BPF_ADD: return 0;
	case BPF_SUB: return 1;
	case BPF_MUL: return 2;
	case BPF_DIV: return off == ISA_OFF_SIGNED ? 4 : 3;
	case BPF_MOD: return off == ISA_OFF_SIGNED ? 6 : 5;
	case BPF_OR: return 7;
	case BPF_AND: return 8;
	case BPF_LSH: return 9;
	case BPF_RSH: return 10;
	case BPF_ARSH: return 11;
	case BPF_XOR: return 12;
	default: return 13; /* BPF_MOV */
	}
}

_Static_assert(INTERP_OP_ALU64_MOV_K - INTERP_OP_ALU64_ADD_K == 13, "ALU block layout");
_Static_assert(INTERP_OP_JMP64_JSLE_K - INTERP_OP_JMP64_JEQ_K == 10, "JMP block layout");
_Static_assert(INTERP_OP_W_CMPXCHG - INTERP_OP_W_ATOMIC_ADD == 9, "atomic block layout");

static enum interp_op decode_end(const struct bpf_insn *insn)
{
	int width_index = insn->imm == 16 ? 0 : insn->imm == 32 ? 1 : 2;

	if (isa_class(insn->code) == BPF_ALU64)
		return INTERP_OP_BSWAP16 + width_index;
	if (isa_source(insn->code) == BPF_TO_BE)
		return INTERP_OP_BE16 + width_index;
	return INTERP_OP_LE16 + width_index;
}

static enum interp_op decode_movsx(const struct bpf_insn *insn)
{
	bool is64 = isa_class(insn->code) == BPF_ALU64;

	switch (insn->off) {
	case 8: return is64 ? INTERP_OP_ALU64_MOVSX8 : INTERP_OP_ALU32_MOVSX8;
	case 16: return is64 ? INTERP_OP_ALU64_MOVSX16 : INTERP_OP_ALU32_MOVSX16;
	default: return INTERP_OP_ALU64_MOVSX32;
	}
}

static enum interp_op decode_alu(const struct bpf_insn *insn)
{
	bool is64 = isa_class(insn->code) == BPF_ALU64;
	bool from_reg = isa_source(insn->code) == BPF_X;
	uint8_t op = isa_op(insn->code);
	enum interp_op base;

	if (op == BPF_END)
		return decode_end(insn);
	if (op == BPF_NEG)
		return is64 ? INTERP_OP_ALU64_NEG : INTERP_OP_ALU32_NEG;
	if (op == BPF_MOV && from_reg && insn->off != 0)
		return decode_movsx(insn);
	if (is64)
		base = from_reg ? INTERP_OP_ALU64_ADD_X : INTERP_OP_ALU64_ADD_K;
	else
		base = from_reg ? INTERP_OP_ALU32_ADD_X : INTERP_OP_ALU32_ADD_K;
	return base + alu_block_index(op, insn->off);
}

/* Position of a conditional jump inside one INTERP_JMP_OPS block. */
static int jmp_block_index(uint8_t op)
{
	switch (op) {
	case BPF_JEQ: return 0;
	case BPF_JGT: return 1;
	case BPF_JGE: return 2;
	case BPF_JSET: return 3;
	case BPF_JNE: return 4;
	case BPF_JSGT: return 5;
	case BPF_JSGE: return 6;
	case BPF_JLT: return 7;
	case BPF_JLE: return 8;
	case BPF_JSLT: return 9;
	default: return 10; /* BPF_JSLE */
	}
}

static enum interp_op decode_jmp(const struct bpf_insn *insn)
{
	bool is64 = isa_class(insn->code) == BPF_JMP;
	bool from_reg = isa_source(insn->code) == BPF_X;
	enum interp_op base;

	switch (isa_op(insn->code)) {
	case BPF_JA: return INTERP_OP_JA;
	case BPF_EXIT: return INTERP_OP_EXIT;
	case BPF_CALL:
		if (from_reg)
			return INTERP_OP_CALLX;
		if (isa_is_local_call(insn))
			return INTERP_OP_CALL_LOCAL;
		/* bpf_tail_call is not a function: the engine switches programs.
		 * A runtime function (kfunc) is called as a helper is. */
		if (insn->src_reg == 0 && insn->imm == BPF_FUNC_tail_call)
			return INTERP_OP_TAIL_CALL;
		return INTERP_OP_CALL_HELPER;
	}
	if (is64)
		base = from_reg ? INTERP_OP_JMP64_JEQ_X : INTERP_OP_JMP64_JEQ_K;
	else
		base = from_reg ? INTERP_OP_JMP32_JEQ_X : INTERP_OP_JMP32_JEQ_K;
	return base + jmp_block_index(isa_op(insn->code));
}

static enum interp_op decode_atomic(const struct bpf_insn *insn)
{
	enum interp_op base = isa_size(insn->code) == BPF_DW ? INTERP_OP_DW_ATOMIC_ADD
							     : INTERP_OP_W_ATOMIC_ADD;
	int fetch = insn->imm & BPF_FETCH ? 4 : 0;

	switch (insn->imm) {
	case BPF_XCHG: return base + 8;
	case BPF_CMPXCHG: return base + 9;
	}
	switch (insn->imm & ~BPF_FETCH) {
	case BPF_ADD: return base + fetch + 0;
	case BPF_AND: return base + fetch + 1;
	case BPF_OR: return base + fetch + 2;
	default: return base + fetch + 3; /* BPF_XOR */
	}
}

static enum interp_op decode_load_store(const struct bpf_insn *insn)
{
	static const uint8_t size_index[4] = { [BPF_W >> 3] = 2, [BPF_H >> 3] = 1,
					       [BPF_B >> 3] = 0, [BPF_DW >> 3] = 3 };
	int size = size_index[isa_size(insn->code) >> 3];

	switch (isa_class(insn->code)) {
	case BPF_LDX:
		if (isa_mode(insn->code) == BPF_MEMSX)
			return INTERP_OP_LDXS_B + size;
		return INTERP_OP_LDX_B + size;
	case BPF_ST:
		return INTERP_OP_ST_B + size;
	case BPF_STX:
		if (isa_mode(insn->code) == BPF_ATOMIC)
			return decode_atomic(insn);
		return INTERP_OP_STX_B + size;
	}
	/* BPF_LD */
	if (isa_is_lddw(insn->code))
		return INTERP_OP_LDDW;
	if (isa_mode(insn->code) == BPF_ABS)
		return INTERP_OP_LD_ABS_B + size;
	return INTERP_OP_LD_IND_B + size;
}

enum interp_op interp_decode_op(const struct bpf_insn *insn)
{
	if (isa_is_alu(insn->code))
		return decode_alu(insn);
	if (isa_is_jmp(insn->code))
		return decode_jmp(insn);
	return decode_load_store(insn);
}

/* The 64-bit value an lddw loads. Pseudo sources become what they refer to
 * (the loader's and the structural check's work makes them valid): a map
 * pointer, the address of a map value, or a callback's handle, which for this
 * engine is the address of its first decoded instruction
 * (run_call_function). */
static int64_t decode_lddw_value(const struct bpfvm_prog *prog, uint32_t idx,
				 struct interp_code *code)
{
	const struct bpf_insn *insn = &prog->insns[idx];
	struct bpfvm_map *map;
	void *value = NULL;

	switch (insn->src_reg) {
	case BPF_PSEUDO_MAP_IDX:
		return (int64_t)(uintptr_t)prog->maps[insn->imm];
	case BPF_PSEUDO_MAP_IDX_VALUE:
		map = prog->maps[insn->imm];
		map->ops->direct_value_addr(map, (uint32_t)insn[1].imm, &value);
		return (int64_t)(uintptr_t)value;
	case BPF_PSEUDO_FUNC:
		return (int64_t)(uintptr_t)&code->insns[idx + 1 + insn->imm];
	default:
		return (int64_t)isa_lddw_imm(insn);
	}
}

static void decode_operands(const struct bpfvm_prog *prog, uint32_t idx,
			    struct interp_code *code)
{
	const struct bpf_insn *insn = &prog->insns[idx];
	struct interp_insn *out = &code->insns[idx];
	int64_t target;

	out->dst = insn->dst_reg;
	out->src = insn->src_reg;
	out->off = insn->off;
	out->imm = insn->imm;
	if (isa_is_lddw(insn->code)) {
		out->imm = decode_lddw_value(prog, idx, code);
	} else if (isa_is_helper_call(insn)) {
		const struct helper_entry *entry = helper_table_find(&prog->vm->helpers,
								     (uint32_t)insn->imm);

		/* None: a CO-RE poison that the verifier proved unreachable. */
		out->helper = helper_fn_for_type(entry, (uint32_t)insn->imm, prog->type);
	} else if (isa_is_kfunc_call(insn)) {
		const struct kfunc_entry *kfunc = kfunc_table_find(&prog->vm->kfuncs,
								   (uint32_t)insn->imm);

		out->helper = kfunc ? kfunc->proto.fn : NULL;
	} else if (isa_is_local_call(insn)) {
		const struct subprog *callee;

		target = isa_jump_target(insn, idx);
		callee = prog_subprog_of(prog, (uint32_t)target);
		out->target = &code->insns[target];
		out->off = (int32_t)prog_subprog_of(prog, idx)->stack_depth;
		out->imm = callee->end - callee->start; /* the budget cost */
	} else if (isa_is_jmp(insn->code) && isa_op(insn->code) != BPF_EXIT &&
		   isa_op(insn->code) != BPF_CALL) {
		target = isa_jump_target(insn, idx);
		out->target = &code->insns[target];
		out->off = target <= idx ? (int32_t)(idx - target + 1) : 0;
	}
}

/* A decoded jump with a budget cost (decode_operands). */
static bool is_backward_jump(const struct bpf_insn *raw, const struct interp_insn *insn)
{
	return isa_is_jmp(raw->code) && isa_op(raw->code) != BPF_EXIT &&
	       isa_op(raw->code) != BPF_CALL && insn->off > 0;
}

/* `r2 = prog array ll`. The map's type is checked here, not assumed: on a
 * branch the verifier proved dead (a frozen .rodata flag) a tail call may
 * name any map, and only a prog array has slots to find. */
static bool is_prog_array_lddw_to_r2(const struct bpfvm_prog *prog, const struct bpf_insn *insn)
{
	return isa_is_lddw(insn->code) && insn->dst_reg == BPF_REG_2 &&
	       insn->src_reg == BPF_PSEUDO_MAP_IDX &&
	       map_type(prog->maps[insn->imm]) == BPF_MAP_TYPE_PROG_ARRAY;
}

static bool is_const_mov_to_r3(const struct bpf_insn *insn)
{
	return insn->code == (BPF_ALU64 | BPF_MOV | BPF_K) && insn->dst_reg == BPF_REG_3;
}

/* A tail call with a constant key, as clang emits it (`r2 = map ll;
 * r3 = K; call bpf_tail_call`, in either order), runs as one instruction
 * that sets r2 and r3 as the three would and makes the call: two dispatches
 * fewer per hop of a chain, and the slot found now rather than through the
 * map on every hop. Only the first entry is replaced; the others stay
 * decoded as they were, so a jump into the middle of the sequence runs the
 * originals, with the same effect. */
static bool fuse_constant_tail_call(const struct bpfvm_prog *prog, uint32_t call,
				    struct interp_code *code)
{
	const struct bpf_insn *insns = prog->insns;
	const struct bpf_insn *mov;
	struct interp_insn *fused;
	uint32_t first, lddw;

	if (call < 3)
		return false;
	first = call - 3;
	fused = &code->insns[first];
	if (is_prog_array_lddw_to_r2(prog, &insns[first]) && is_const_mov_to_r3(&insns[call - 1]))
		lddw = first, mov = &insns[call - 1];
	else if (is_const_mov_to_r3(&insns[first]) && is_prog_array_lddw_to_r2(prog, &insns[first + 1]))
		lddw = first + 1, mov = &insns[first];
	else
		return false;
	fused->label = interp_labels()[INTERP_OP_TAIL_CALL_CONST];
	fused->imm = code->insns[lddw].imm;
	fused->off = mov->imm;
	fused->fused = fd_array_slot(prog->maps[insns[lddw].imm], (uint32_t)mov->imm);
	return true;
}

/* `r2 = map ll; call bpf_tail_call`, the key computed before: one
 * instruction that knows the array's slots. */
static void fuse_tail_call_map(const struct bpfvm_prog *prog, uint32_t call,
			       struct interp_code *code)
{
	const struct bpf_insn *lddw;
	struct interp_insn *fused;

	if (call < 2 || !is_prog_array_lddw_to_r2(prog, &prog->insns[call - 2]))
		return;
	lddw = &prog->insns[call - 2];
	fused = &code->insns[call - 2];
	fused->label = interp_labels()[INTERP_OP_TAIL_CALL_MAP];
	fused->fused = fd_array_private_of(prog->maps[lddw->imm]);
}

static bool is_plain_ldx(const struct bpf_insn *insn)
{
	return isa_class(insn->code) == BPF_LDX && isa_mode(insn->code) == BPF_MEM;
}

/* `rA = imm ll; rB = *(size *)(rA + off)`, how programs read their global
 * variables: one instruction that sets both registers. */
static void fuse_lddw_ldx(const struct bpfvm_prog *prog, uint32_t idx, struct interp_code *code)
{
	static const enum interp_op by_size[] = {
		[BPF_B] = INTERP_OP_LDDW_LDX_B, [BPF_H] = INTERP_OP_LDDW_LDX_H,
		[BPF_W] = INTERP_OP_LDDW_LDX_W, [BPF_DW] = INTERP_OP_LDDW_LDX_DW,
	};
	const struct bpf_insn *ldx = &prog->insns[idx + 2];
	struct interp_insn *fused = &code->insns[idx];

	if (idx + 2 >= prog->insn_cnt || !is_plain_ldx(ldx) ||
	    ldx->src_reg != prog->insns[idx].dst_reg)
		return;
	fused->label = interp_labels()[by_size[isa_size(ldx->code)]];
	fused->src = ldx->dst_reg;
	fused->off = ldx->off;
}

/* The superinstructions (interp.h, INTERP_FUSED_OPS), made once every
 * entry is decoded. */
static void fuse(const struct bpfvm_prog *prog, struct interp_code *code)
{
	for (uint32_t idx = 0; idx < prog->insn_cnt; idx++) {
		const struct bpf_insn *insn = &prog->insns[idx];

		if (isa_is_helper_call(insn) && insn->imm == BPF_FUNC_tail_call &&
		    !fuse_constant_tail_call(prog, idx, code))
			fuse_tail_call_map(prog, idx, code);
	}
	for (uint32_t idx = 0; idx < prog->insn_cnt; idx++)
		if (isa_is_lddw(prog->insns[idx].code) &&
		    code->insns[idx].label == interp_labels()[INTERP_OP_LDDW])
			fuse_lddw_ldx(prog, idx++, code);
}

static bool uses_callx(const struct bpfvm_prog *prog)
{
	for (uint32_t idx = 0; idx < prog->insn_cnt; idx++)
		if (isa_is_callx(&prog->insns[idx]))
			return true;
	return false;
}

/* callx picks its helper at run time, by id. It gets the helpers registered
 * at load, as calls with a constant id do (bpfvm.h: loaded programs keep the
 * functions they were loaded with), and a copy that no later registration
 * can reallocate under a running program. */
static int snapshot_callx_helpers(const struct bpfvm_prog *prog, struct interp_code *code)
{
	const struct helper_table *table = &prog->vm->helpers;

	if (!uses_callx(prog) || table->capacity == 0)
		return 0;
	code->callx_helpers = calloc(table->capacity, sizeof(*code->callx_helpers));
	if (!code->callx_helpers)
		return -ENOMEM;
	for (uint32_t id = 0; id < table->capacity; id++)
		code->callx_helpers[id] = table->entries[id].fn;
	code->callx_helper_cnt = table->capacity;
	return 0;
}

void interp_free(struct interp_code *code)
{
	if (!code)
		return;
	free(code->callx_helpers);
	free(code);
}

/* Gives every backward jump the cost of its head: the longest of the jumps
 * to that head (decode_operands set each one's own distance). */
static int charge_loop_heads(const struct bpfvm_prog *prog, struct interp_code *code)
{
	int32_t *longest = calloc(prog->insn_cnt, sizeof(*longest));
	struct interp_insn *insn;

	if (!longest)
		return -ENOMEM;
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t idx = 0; idx < prog->insn_cnt; idx++) {
			insn = &code->insns[idx];
			if (!is_backward_jump(&prog->insns[idx], insn))
				continue;
			if (pass == 0 && insn->off > longest[insn->target - code->insns])
				longest[insn->target - code->insns] = insn->off;
			if (pass == 1)
				insn->off = longest[insn->target - code->insns];
		}
	}
	free(longest);
	return 0;
}

struct interp_code *interp_decode(const struct bpfvm_prog *prog)
{
	const void *const *labels = interp_labels();
	struct interp_code *code;

	code = calloc(1, sizeof(*code) + prog->insn_cnt * sizeof(code->insns[0]));
	if (!code || snapshot_callx_helpers(prog, code)) {
		interp_free(code);
		vm_error("%s: out of memory decoding %u instructions", prog->name, prog->insn_cnt);
		return NULL;
	}
	code->insn_cnt = prog->insn_cnt;
	for (uint32_t idx = 0; idx < prog->insn_cnt; idx++) {
		code->insns[idx].label = labels[interp_decode_op(&prog->insns[idx])];
		decode_operands(prog, idx, code);
		if (isa_is_lddw(prog->insns[idx].code))
			idx++; /* the second slot stays zeroed: never executed */
	}
	if (charge_loop_heads(prog, code)) {
		interp_free(code);
		vm_error("%s: out of memory decoding %u instructions", prog->name, prog->insn_cnt);
		return NULL;
	}
	fuse(prog, code);
	return code;
}
