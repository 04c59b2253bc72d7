/* Mutations of an instruction stream for the soundness fuzzer (fuzz.h).
 *
 * The length stays the same (jumps keep their meaning elsewhere) and lddw
 * pairs are left whole. Each mutation is one of the ways a safe program turns
 * unsafe, or a verifier gets fooled: operands, immediates, memory offsets
 * and sizes, branch targets, bounds checks deleted or weakened, registers
 * swapped, instructions removed or duplicated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "isa/isa.h"

typedef bool (*insn_filter)(const struct bpf_insn *insn);

static bool is_memory(const struct bpf_insn *insn)
{
	uint8_t class = isa_class(insn->code);

	return class == BPF_LDX || class == BPF_ST || class == BPF_STX;
}

static bool is_cond_jump(const struct bpf_insn *insn)
{
	uint8_t op = isa_op(insn->code);

	return isa_is_jmp(insn->code) && op != BPF_JA && op != BPF_CALL && op != BPF_EXIT;
}

static bool is_jump(const struct bpf_insn *insn)
{
	uint8_t op = isa_op(insn->code);

	return isa_is_jmp(insn->code) && op != BPF_CALL && op != BPF_EXIT;
}

static bool has_imm(const struct bpf_insn *insn)
{
	uint8_t class = isa_class(insn->code);

	if (isa_is_alu(insn->code) || is_cond_jump(insn))
		return isa_source(insn->code) == BPF_K;
	return class == BPF_ST;
}

static bool is_alu(const struct bpf_insn *insn)
{
	return isa_is_alu(insn->code) && isa_op(insn->code) != BPF_END;
}

static bool is_any(const struct bpf_insn *insn)
{
	(void)insn;
	return true;
}

/* Whether slot idx may be changed: not an lddw nor its second half. */
static bool mutable_slot(const struct fuzz_prog *prog, size_t idx)
{
	if (isa_is_lddw(prog->insns[idx].code))
		return false;
	return !(idx > 0 && isa_is_lddw(prog->insns[idx - 1].code));
}

/* A random instruction that passes the filter, or -1. */
static long pick(struct fuzz_rng *rng, const struct fuzz_prog *prog, insn_filter filter)
{
	size_t start = fuzz_below(rng, (uint32_t)prog->insn_cnt);

	for (size_t i = 0; i < prog->insn_cnt; i++) {
		size_t idx = (start + i) % prog->insn_cnt;

		if (mutable_slot(prog, idx) && filter(&prog->insns[idx]))
			return (long)idx;
	}
	return -1;
}

static int32_t interesting_imm(struct fuzz_rng *rng, int32_t imm)
{
	static const int32_t values[] = { 0, 1, -1, 2, 4, 7, 8, 15, 16, 31, 32, 63, 64, 255,
					  256, 511, 512, 4096, 0x7fffffff, (int32_t)0x80000000 };

	switch (fuzz_below(rng, 4)) {
	case 0: return (int32_t)((uint32_t)imm + fuzz_below(rng, 17) - 8); /* wraps, no UB */
	case 1: return (int32_t)((uint32_t)imm * 2 + 1);
	case 2: return (int32_t)fuzz_next(rng);
	default: return values[fuzz_below(rng, sizeof(values) / sizeof(values[0]))];
	}
}

static const char *mutate_imm(struct fuzz_rng *rng, struct bpf_insn *insn)
{
	insn->imm = interesting_imm(rng, insn->imm);
	return "imm";
}

static const char *mutate_off(struct fuzz_rng *rng, struct bpf_insn *insn)
{
	if (fuzz_below(rng, 3))
		insn->off = (int16_t)(insn->off + (int)fuzz_below(rng, 33) - 16);
	else
		insn->off = (int16_t)interesting_imm(rng, insn->off);
	return "offset";
}

static const char *mutate_size(struct fuzz_rng *rng, struct bpf_insn *insn)
{
	static const uint8_t sizes[] = { BPF_B, BPF_H, BPF_W, BPF_DW };

	if (isa_mode(insn->code) == BPF_ATOMIC)
		return mutate_off(rng, insn);
	insn->code = (uint8_t)((insn->code & ~0x18) | sizes[fuzz_below(rng, 4)]);
	return "size";
}

static const char *mutate_target(struct fuzz_rng *rng, struct bpf_insn *insn)
{
	insn->off = (int16_t)(insn->off + (int)fuzz_below(rng, 7) - 3);
	return "branch target";
}

/* The check's branch never taken (falls into what it guarded), or always. */
static const char *delete_check(struct fuzz_rng *rng, struct bpf_insn *insn)
{
	if (fuzz_below(rng, 2)) {
		*insn = (struct bpf_insn){ .code = BPF_JMP | BPF_JA };
		return "check deleted";
	}
	insn->code = BPF_JMP | BPF_JA;
	insn->dst_reg = insn->src_reg = 0;
	insn->imm = 0;
	return "check always taken";
}

static const char *weaken_check(struct fuzz_rng *rng, struct bpf_insn *insn)
{
	static const uint8_t ops[] = { BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT,
				       BPF_JSGE, BPF_JLT, BPF_JLE, BPF_JSLT, BPF_JSLE };

	switch (fuzz_below(rng, 4)) {
	case 0: /* 64-bit compare becomes 32-bit, or back */
		insn->code ^= BPF_JMP ^ BPF_JMP32;
		return "check width";
	case 1: /* the other operand */
		if (isa_source(insn->code) == BPF_X)
			insn->src_reg = (uint8_t)fuzz_below(rng, 11);
		else
			insn->imm = interesting_imm(rng, insn->imm);
		return "check operand";
	default:
		insn->code = (uint8_t)((insn->code & 0x0f) | ops[fuzz_below(rng, sizeof(ops))]);
		return "check condition";
	}
}

static const char *swap_register(struct fuzz_rng *rng, struct bpf_insn *insn)
{
	if (fuzz_below(rng, 2))
		insn->dst_reg = (uint8_t)fuzz_below(rng, 11);
	else
		insn->src_reg = (uint8_t)fuzz_below(rng, 11);
	return "register";
}

static const char *mutate_alu_op(struct fuzz_rng *rng, struct bpf_insn *insn)
{
	static const uint8_t ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND,
				       BPF_LSH, BPF_RSH, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH };

	if (fuzz_below(rng, 3) == 0)
		insn->code ^= BPF_ALU ^ BPF_ALU64;
	else
		insn->code = (uint8_t)((insn->code & 0x0f) | ops[fuzz_below(rng, sizeof(ops))]);
	return "alu op";
}

static const char *remove_insn(struct fuzz_rng *rng, struct bpf_insn *insn)
{
	(void)rng;
	*insn = (struct bpf_insn){ .code = BPF_JMP | BPF_JA };
	return "insn removed";
}

struct mutation {
	insn_filter filter;
	const char *(*apply)(struct fuzz_rng *rng, struct bpf_insn *insn);
	unsigned weight;
};

static const struct mutation mutations[] = {
	{ has_imm, mutate_imm, 4 },	   { is_memory, mutate_off, 4 },
	{ is_memory, mutate_size, 2 },	   { is_jump, mutate_target, 2 },
	{ is_cond_jump, delete_check, 4 }, { is_cond_jump, weaken_check, 3 },
	{ is_any, swap_register, 3 },	   { is_alu, mutate_alu_op, 2 },
	{ is_any, remove_insn, 1 },
};

static const struct mutation *pick_mutation(struct fuzz_rng *rng)
{
	unsigned total = 0, roll;

	for (size_t i = 0; i < sizeof(mutations) / sizeof(mutations[0]); i++)
		total += mutations[i].weight;
	roll = fuzz_below(rng, total);
	for (size_t i = 0;; i++) {
		if (roll < mutations[i].weight)
			return &mutations[i];
		roll -= mutations[i].weight;
	}
}

void fuzz_mutate(struct fuzz_rng *rng, struct fuzz_prog *prog, char *what, size_t what_size)
{
	unsigned n = 1 + fuzz_below(rng, 3);
	size_t used = 0;

	what[0] = '\0';
	for (unsigned i = 0; i < n && prog->insn_cnt; i++) {
		const struct mutation *m = pick_mutation(rng);
		long idx = pick(rng, prog, m->filter);
		const char *name;

		if (idx < 0)
			continue;
		name = m->apply(rng, &prog->insns[idx]);
		used += (size_t)snprintf(what + used, used < what_size ? what_size - used : 0,
					 "%sinsn %ld: %s", used ? ", " : "", idx, name);
		if (used >= what_size)
			used = what_size - 1;
	}
}

int fuzz_prog_copy(const struct fuzz_prog *from, struct fuzz_prog *to)
{
	*to = *from;
	to->insns = malloc(from->insn_cnt * sizeof(*from->insns));
	if (!to->insns)
		return -1;
	memcpy(to->insns, from->insns, from->insn_cnt * sizeof(*from->insns));
	return 0;
}

void fuzz_prog_release(struct fuzz_prog *prog)
{
	free(prog->insns);
	prog->insns = NULL;
}
