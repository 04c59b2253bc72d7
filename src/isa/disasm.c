/* The disassembler: an instruction -> the text the kernel verifier and
 * `bpftool prog dump xlated` print for it (kernel/bpf/disasm.c,
 * print_bpf_insn), without the "(b7) " opcode prefix.
 *
 * Only a valid encoding (RFC 9669 and the kernel's checks of unused fields)
 * is printed as an instruction. The text does not show the unused fields, so
 * printing an instruction that sets one would lose bytes; such instructions
 * are reported as invalid instead, which is what makes asm(disasm(x)) == x
 * hold for every instruction that disassembles.
 *
 * Where the kernel's text cannot be read back unambiguously, it is extended:
 * plain lddw ends in " ll" (or `r1 = 0x5` would read as a mov), and each lddw
 * pseudo source has its own form, after bpftool's: map[fd:N], map[fd:N][0]+OFF,
 * btf[id:N], subprog[+N], map[idx:N], map[idx:N]+OFF. callx, which the kernel
 * does not print, is "callx rN", as LLVM prints it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "core/error.h"
#include "isa/helper_names.h"
#include "isa/isa.h"

/* Longer than any instruction's text or any description of an invalid one. */
#define DISASM_TEXT_MAX 160

struct disasm_text {
	char buf[DISASM_TEXT_MAX];
};

static int disasm_print(struct disasm_text *text, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int disasm_print(struct disasm_text *text, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text->buf, sizeof(text->buf), fmt, ap);
	va_end(ap);
	return 0;
}

/* Describes why the instruction is invalid; returns -EINVAL. */
static int disasm_invalid(struct disasm_text *text, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int disasm_invalid(struct disasm_text *text, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text->buf, sizeof(text->buf), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int disasm_bad_opcode(struct disasm_text *text, const struct bpf_insn *insn)
{
	return disasm_invalid(text, "invalid opcode 0x%02x", insn->code);
}

/* An unused field must be zero (the kernel: "uses reserved fields"). */
static int disasm_unused(struct disasm_text *text, const struct bpf_insn *insn,
			 const char *field, long value)
{
	if (value == 0)
		return 0;
	return disasm_invalid(text, "invalid opcode 0x%02x instruction: %s is %ld, must be 0",
			      insn->code, field, value);
}

static int disasm_register(struct disasm_text *text, const struct bpf_insn *insn,
			   const char *field, unsigned regno)
{
	if (regno <= 10)
		return 0;
	return disasm_invalid(text, "invalid opcode 0x%02x instruction: %s is r%u",
			      insn->code, field, regno);
}

static int disasm_dst(struct disasm_text *text, const struct bpf_insn *insn)
{
	return disasm_register(text, insn, "dst_reg", insn->dst_reg);
}

static int disasm_src(struct disasm_text *text, const struct bpf_insn *insn)
{
	return disasm_register(text, insn, "src_reg", insn->src_reg);
}

static int disasm_bad_field(struct disasm_text *text, const struct bpf_insn *insn,
			    const char *field, long value)
{
	return disasm_invalid(text, "invalid opcode 0x%02x instruction: %s %ld",
			      insn->code, field, value);
}

static const char *const disasm_size_names[4] = {
	[BPF_W >> 3] = "u32", [BPF_H >> 3] = "u16", [BPF_B >> 3] = "u8", [BPF_DW >> 3] = "u64"
};

static const char *const disasm_signed_size_names[4] = {
	[BPF_W >> 3] = "s32", [BPF_H >> 3] = "s16", [BPF_B >> 3] = "s8"
};

static const char *size_name(uint8_t code)
{
	return disasm_size_names[isa_size(code) >> 3];
}

/* ---- ALU ------------------------------------------------------------- */

static const char *const disasm_alu_ops[16] = {
	[BPF_ADD >> 4] = "+=", [BPF_SUB >> 4] = "-=",  [BPF_MUL >> 4] = "*=",
	[BPF_DIV >> 4] = "/=", [BPF_OR >> 4] = "|=",   [BPF_AND >> 4] = "&=",
	[BPF_LSH >> 4] = "<<=", [BPF_RSH >> 4] = ">>=", [BPF_MOD >> 4] = "%=",
	[BPF_XOR >> 4] = "^=", [BPF_MOV >> 4] = "=",   [BPF_ARSH >> 4] = "s>>=",
};

static bool is_div_or_mod(uint8_t code)
{
	return isa_op(code) == BPF_DIV || isa_op(code) == BPF_MOD;
}

/* off selects sdiv/smod (1) and movsx (8, 16, and 32 for ALU64 only). */
static bool alu_offset_valid(const struct bpf_insn *insn)
{
	bool is64 = isa_class(insn->code) == BPF_ALU64;
	bool is_mov_x = isa_op(insn->code) == BPF_MOV && isa_source(insn->code) == BPF_X;

	if (insn->off == 0)
		return true;
	if (is_div_or_mod(insn->code))
		return insn->off == ISA_OFF_SIGNED;
	return is_mov_x && (insn->off == 8 || insn->off == 16 || (is64 && insn->off == 32));
}

static const char *alu_op_text(const struct bpf_insn *insn)
{
	if (is_div_or_mod(insn->code) && insn->off == ISA_OFF_SIGNED)
		return isa_op(insn->code) == BPF_DIV ? "s/=" : "s%=";
	return disasm_alu_ops[isa_op(insn->code) >> 4];
}

/* "r0 = be16 r0" (ALU), "r0 = bswap32 r0" (ALU64): r registers either way. */
static int disasm_end(struct disasm_text *text, const struct bpf_insn *insn)
{
	bool is64 = isa_class(insn->code) == BPF_ALU64;
	int err = disasm_unused(text, insn, "src_reg", insn->src_reg);

	if (is64 && isa_source(insn->code) != BPF_TO_LE)
		return disasm_bad_opcode(text, insn);
	if (!err)
		err = disasm_unused(text, insn, "off", insn->off);
	if (!err && insn->imm != 16 && insn->imm != 32 && insn->imm != 64)
		err = disasm_bad_field(text, insn, "byte swap width", insn->imm);
	if (err)
		return err;
	if (is64)
		return disasm_print(text, "r%u = bswap%d r%u", insn->dst_reg, insn->imm,
				    insn->dst_reg);
	return disasm_print(text, "r%u = %s%d r%u", insn->dst_reg,
			    isa_source(insn->code) == BPF_TO_BE ? "be" : "le", insn->imm,
			    insn->dst_reg);
}

/* "r0 = -r0" */
static int disasm_neg(struct disasm_text *text, const struct bpf_insn *insn, char reg)
{
	int err = disasm_unused(text, insn, "src_reg", insn->src_reg);

	if (isa_source(insn->code) != BPF_K)
		return disasm_bad_opcode(text, insn);
	if (!err)
		err = disasm_unused(text, insn, "off", insn->off);
	if (!err)
		err = disasm_unused(text, insn, "imm", insn->imm);
	return err ? err : disasm_print(text, "%c%u = -%c%u", reg, insn->dst_reg, reg, insn->dst_reg);
}

/* "r0 += r1", "w0 s/= w1", "r0 = (s8)r1" */
static int disasm_alu_x(struct disasm_text *text, const struct bpf_insn *insn, char reg)
{
	const char *movsx = "";
	int err = disasm_src(text, insn);

	if (!err)
		err = disasm_unused(text, insn, "imm", insn->imm);
	if (err)
		return err;
	if (isa_op(insn->code) == BPF_MOV && insn->off == 8)
		movsx = "(s8)";
	else if (isa_op(insn->code) == BPF_MOV && insn->off == 16)
		movsx = "(s16)";
	else if (isa_op(insn->code) == BPF_MOV && insn->off == 32)
		movsx = "(s32)";
	return disasm_print(text, "%c%u %s %s%c%u", reg, insn->dst_reg, alu_op_text(insn),
			    movsx, reg, insn->src_reg);
}

/* "r0 += 1", "w0 s%= -5": immediates in signed decimal, as the kernel. */
static int disasm_alu_k(struct disasm_text *text, const struct bpf_insn *insn, char reg)
{
	int err = disasm_unused(text, insn, "src_reg", insn->src_reg);

	return err ? err : disasm_print(text, "%c%u %s %d", reg, insn->dst_reg,
					alu_op_text(insn), insn->imm);
}

static int disasm_alu(struct disasm_text *text, const struct bpf_insn *insn, size_t avail)
{
	char reg = isa_class(insn->code) == BPF_ALU64 ? 'r' : 'w';
	uint8_t op = isa_op(insn->code);
	int err;

	if (op > BPF_END)
		return disasm_bad_opcode(text, insn);
	err = disasm_dst(text, insn);
	if (err)
		return err;
	if (op == BPF_END)
		return disasm_end(text, insn);
	if (op == BPF_NEG)
		return disasm_neg(text, insn, reg);
	if (!alu_offset_valid(insn))
		return disasm_bad_field(text, insn, "offset", insn->off);
	if (isa_source(insn->code) == BPF_X)
		return disasm_alu_x(text, insn, reg);
	return disasm_alu_k(text, insn, reg);
}

/* ---- Jumps and calls ------------------------------------------------- */

static const char *const disasm_jump_ops[16] = {
	[BPF_JEQ >> 4] = "==",	 [BPF_JGT >> 4] = ">",	 [BPF_JGE >> 4] = ">=",
	[BPF_JSET >> 4] = "&",	 [BPF_JNE >> 4] = "!=",	 [BPF_JSGT >> 4] = "s>",
	[BPF_JSGE >> 4] = "s>=", [BPF_JLT >> 4] = "<",	 [BPF_JLE >> 4] = "<=",
	[BPF_JSLT >> 4] = "s<",	 [BPF_JSLE >> 4] = "s<=",
};

/* The fields an instruction uses; disasm_only() checks the others are 0. */
enum disasm_field {
	USES_DST = 1,
	USES_SRC = 2,
	USES_OFF = 4,
	USES_IMM = 8,
};

static int disasm_only(struct disasm_text *text, const struct bpf_insn *insn,
		       unsigned used)
{
	int err = 0;

	if (!(used & USES_DST))
		err = disasm_unused(text, insn, "dst_reg", insn->dst_reg);
	if (!err && !(used & USES_SRC))
		err = disasm_unused(text, insn, "src_reg", insn->src_reg);
	if (!err && !(used & USES_OFF))
		err = disasm_unused(text, insn, "off", insn->off);
	if (!err && !(used & USES_IMM))
		err = disasm_unused(text, insn, "imm", insn->imm);
	return err;
}

/* "goto pc+2" (JMP, off) and "gotol pc+100000" (JMP32, imm). */
static int disasm_ja(struct disasm_text *text, const struct bpf_insn *insn)
{
	bool is_long = isa_class(insn->code) == BPF_JMP32;
	int err;

	if (isa_source(insn->code) != BPF_K)
		return disasm_bad_opcode(text, insn);
	err = disasm_only(text, insn, is_long ? USES_IMM : USES_OFF);
	if (err)
		return err;
	if (is_long)
		return disasm_print(text, "gotol pc%+d", insn->imm);
	return disasm_print(text, "goto pc%+d", insn->off);
}

/* "call bpf_map_lookup_elem#1", "call unknown#1234", as the kernel names them. */
static int disasm_helper_call(struct disasm_text *text, const struct bpf_insn *insn)
{
	const char *name = isa_helper_name(insn->imm);
	int err = disasm_only(text, insn, USES_IMM);

	return err ? err : disasm_print(text, "call %s#%d", name ? name : "unknown", insn->imm);
}

static int disasm_call(struct disasm_text *text, const struct bpf_insn *insn)
{
	int err;

	if (isa_class(insn->code) != BPF_JMP)
		return disasm_bad_opcode(text, insn);
	if (isa_source(insn->code) == BPF_X) {
		err = disasm_only(text, insn, USES_DST);
		if (!err)
			err = disasm_dst(text, insn);
		return err ? err : disasm_print(text, "callx r%u", insn->dst_reg);
	}
	if (insn->src_reg == 0)
		return disasm_helper_call(text, insn);
	if (insn->src_reg != BPF_PSEUDO_CALL && insn->src_reg != BPF_PSEUDO_KFUNC_CALL)
		return disasm_bad_field(text, insn, "call source src_reg", insn->src_reg);
	err = disasm_only(text, insn, USES_SRC | USES_IMM);
	if (err)
		return err;
	if (insn->src_reg == BPF_PSEUDO_CALL)
		return disasm_print(text, "call pc%+d", insn->imm);
	return disasm_print(text, "call kernel-function#%d", insn->imm);
}

static int disasm_exit(struct disasm_text *text, const struct bpf_insn *insn)
{
	int err;

	if (isa_class(insn->code) != BPF_JMP || isa_source(insn->code) != BPF_K)
		return disasm_bad_opcode(text, insn);
	err = disasm_only(text, insn, 0);
	return err ? err : disasm_print(text, "exit");
}

/* "if r1 > 0x5 goto pc+3", "if w1 s< w2 goto pc-4": the kernel prints the
 * immediate as unsigned hex. */
static int disasm_cond_jump(struct disasm_text *text, const struct bpf_insn *insn)
{
	char reg = isa_class(insn->code) == BPF_JMP ? 'r' : 'w';
	const char *op = disasm_jump_ops[isa_op(insn->code) >> 4];
	int err = disasm_dst(text, insn);

	if (err)
		return err;
	if (isa_source(insn->code) == BPF_K) {
		err = disasm_unused(text, insn, "src_reg", insn->src_reg);
		return err ? err : disasm_print(text, "if %c%u %s 0x%x goto pc%+d", reg,
						insn->dst_reg, op, (uint32_t)insn->imm, insn->off);
	}
	err = disasm_src(text, insn);
	if (!err)
		err = disasm_unused(text, insn, "imm", insn->imm);
	return err ? err : disasm_print(text, "if %c%u %s %c%u goto pc%+d", reg, insn->dst_reg,
					op, reg, insn->src_reg, insn->off);
}

static int disasm_jmp(struct disasm_text *text, const struct bpf_insn *insn, size_t avail)
{
	switch (isa_op(insn->code)) {
	case BPF_JA:
		return disasm_ja(text, insn);
	case BPF_CALL:
		return disasm_call(text, insn);
	case BPF_EXIT:
		return disasm_exit(text, insn);
	case 0xe0: /* BPF_JCOND (may_goto): kernel-internal, not in RFC 9669 */
	case 0xf0:
		return disasm_bad_opcode(text, insn);
	default:
		return disasm_cond_jump(text, insn);
	}
}

/* ---- Loads and stores ------------------------------------------------ */

/* "r0 = *(u32 *)(r1 +4)", "r0 = *(s8 *)(r1 +0)" */
static int disasm_ldx(struct disasm_text *text, const struct bpf_insn *insn, size_t avail)
{
	bool sign_extends = isa_mode(insn->code) == BPF_MEMSX;
	const char *type;
	int err;

	if (isa_mode(insn->code) != BPF_MEM && !sign_extends)
		return disasm_bad_opcode(text, insn);
	if (sign_extends && isa_size(insn->code) == BPF_DW)
		return disasm_bad_opcode(text, insn);
	err = disasm_dst(text, insn);
	if (!err)
		err = disasm_src(text, insn);
	if (!err)
		err = disasm_unused(text, insn, "imm", insn->imm);
	if (err)
		return err;
	type = sign_extends ? disasm_signed_size_names[isa_size(insn->code) >> 3]
			    : size_name(insn->code);
	return disasm_print(text, "r%u = *(%s *)(r%u %+d)", insn->dst_reg, type,
			    insn->src_reg, insn->off);
}

/* "*(u32 *)(r10 -8) = 5" */
static int disasm_st(struct disasm_text *text, const struct bpf_insn *insn, size_t avail)
{
	int err;

	if (isa_mode(insn->code) != BPF_MEM)
		return disasm_bad_opcode(text, insn);
	err = disasm_dst(text, insn);
	if (!err)
		err = disasm_unused(text, insn, "src_reg", insn->src_reg);
	return err ? err : disasm_print(text, "*(%s *)(r%u %+d) = %d", size_name(insn->code),
					insn->dst_reg, insn->off, insn->imm);
}

static const char *const disasm_atomic_ops[16] = {
	[BPF_ADD >> 4] = "add", [BPF_AND >> 4] = "and", [BPF_OR >> 4] = "or",
	[BPF_XOR >> 4] = "xor",
};

static bool is_atomic_alu(int32_t op)
{
	return op == BPF_ADD || op == BPF_AND || op == BPF_OR || op == BPF_XOR;
}

/* "lock *(u64 *)(r10 -8) += r1", "r1 = atomic64_fetch_add((u64 *)(r10 -8), r1)",
 * "r1 = atomic_xchg((u32 *)(r10 -8), r1)",
 * "r0 = atomic64_cmpxchg((u64 *)(r10 -8), r0, r1)" */
static int disasm_atomic(struct disasm_text *text, const struct bpf_insn *insn)
{
	const char *bits = isa_size(insn->code) == BPF_DW ? "64" : "";
	const char *type = size_name(insn->code);
	unsigned dst = insn->dst_reg, src = insn->src_reg;
	int32_t op = insn->imm & ~BPF_FETCH;

	if (isa_size(insn->code) != BPF_W && isa_size(insn->code) != BPF_DW)
		return disasm_bad_opcode(text, insn);
	if (is_atomic_alu(insn->imm))
		return disasm_print(text, "lock *(%s *)(r%u %+d) %s r%u", type, dst, insn->off,
				    disasm_alu_ops[insn->imm >> 4], src);
	if ((insn->imm & BPF_FETCH) && is_atomic_alu(op))
		return disasm_print(text, "r%u = atomic%s_fetch_%s((%s *)(r%u %+d), r%u)", src,
				    bits, disasm_atomic_ops[op >> 4], type, dst, insn->off, src);
	if (insn->imm == BPF_XCHG)
		return disasm_print(text, "r%u = atomic%s_xchg((%s *)(r%u %+d), r%u)", src, bits,
				    type, dst, insn->off, src);
	if (insn->imm == BPF_CMPXCHG)
		return disasm_print(text, "r0 = atomic%s_cmpxchg((%s *)(r%u %+d), r0, r%u)", bits,
				    type, dst, insn->off, src);
	return disasm_invalid(text, "invalid opcode 0x%02x instruction: atomic operation 0x%x",
			      insn->code, (uint32_t)insn->imm);
}

/* "*(u64 *)(r10 -8) = r1" and the atomics. */
static int disasm_stx(struct disasm_text *text, const struct bpf_insn *insn, size_t avail)
{
	int err;

	if (isa_mode(insn->code) != BPF_MEM && isa_mode(insn->code) != BPF_ATOMIC)
		return disasm_bad_opcode(text, insn);
	err = disasm_dst(text, insn);
	if (!err)
		err = disasm_src(text, insn);
	if (err)
		return err;
	if (isa_mode(insn->code) == BPF_ATOMIC)
		return disasm_atomic(text, insn);
	err = disasm_unused(text, insn, "imm", insn->imm);
	return err ? err : disasm_print(text, "*(%s *)(r%u %+d) = r%u", size_name(insn->code),
					insn->dst_reg, insn->off, insn->src_reg);
}

/* ---- LD: legacy packet loads and lddw --------------------------------- */

/* "r0 = *(u8 *)skb[4]", "r0 = *(u16 *)skb[r1 + 4]": r0 is implied, so dst_reg
 * must be 0 (the kernel: "BPF_LD_[ABS|IND] uses reserved fields"). */
static int disasm_ld_packet(struct disasm_text *text, const struct bpf_insn *insn)
{
	bool indirect = isa_mode(insn->code) == BPF_IND;
	int err;

	if (isa_size(insn->code) == BPF_DW)
		return disasm_bad_opcode(text, insn);
	err = disasm_only(text, insn, indirect ? USES_SRC | USES_IMM : USES_IMM);
	if (!err && indirect)
		err = disasm_src(text, insn);
	if (err)
		return err;
	if (indirect)
		return disasm_print(text, "r0 = *(%s *)skb[r%u + %d]", size_name(insn->code),
				    insn->src_reg, insn->imm);
	return disasm_print(text, "r0 = *(%s *)skb[%d]", size_name(insn->code), insn->imm);
}

/* The second slot of lddw carries only the high 32 bits of imm. */
static int disasm_lddw_second(struct disasm_text *text, const struct bpf_insn *insn,
			      size_t avail)
{
	const struct bpf_insn *second = insn + 1;

	if (avail < 2)
		return disasm_invalid(text, "invalid lddw: no second half after the last instruction");
	if (second->code || second->dst_reg || second->src_reg || second->off)
		return disasm_invalid(text, "invalid lddw: second half has code 0x%02x, "
				      "dst_reg %u, src_reg %u, off %d; all must be 0",
				      second->code, second->dst_reg, second->src_reg, second->off);
	return 0;
}

/* lddw pseudo sources (the src_reg of the first half), after bpftool. */
static int disasm_lddw_pseudo(struct disasm_text *text, const struct bpf_insn *insn)
{
	unsigned dst = insn->dst_reg;
	uint32_t first = (uint32_t)insn[0].imm, second = (uint32_t)insn[1].imm;
	bool second_used = insn->src_reg == BPF_PSEUDO_MAP_VALUE ||
			   insn->src_reg == BPF_PSEUDO_MAP_IDX_VALUE ||
			   insn->src_reg == BPF_PSEUDO_BTF_ID;

	if (insn->src_reg > BPF_PSEUDO_MAP_IDX_VALUE)
		return disasm_bad_field(text, insn, "lddw source src_reg", insn->src_reg);
	if (!second_used && second != 0)
		return disasm_invalid(text, "invalid lddw: src_reg %u takes no second imm, found %u",
				      insn->src_reg, second);
	switch (insn->src_reg) {
	case BPF_PSEUDO_MAP_FD:
		return disasm_print(text, "r%u = map[fd:%u]", dst, first);
	case BPF_PSEUDO_MAP_VALUE:
		return disasm_print(text, "r%u = map[fd:%u][0]+%u", dst, first, second);
	case BPF_PSEUDO_BTF_ID:
		if (second)
			return disasm_print(text, "r%u = btf[id:%u][fd:%u]", dst, first, second);
		return disasm_print(text, "r%u = btf[id:%u]", dst, first);
	case BPF_PSEUDO_FUNC:
		return disasm_print(text, "r%u = subprog[%+d]", dst, insn->imm);
	case BPF_PSEUDO_MAP_IDX:
		return disasm_print(text, "r%u = map[idx:%u]", dst, first);
	default: /* BPF_PSEUDO_MAP_IDX_VALUE */
		return disasm_print(text, "r%u = map[idx:%u]+%u", dst, first, second);
	}
}

/* "r1 = 0x1122334455667788 ll" or a pseudo form. */
static int disasm_lddw(struct disasm_text *text, const struct bpf_insn *insn, size_t avail)
{
	int err = disasm_lddw_second(text, insn, avail);

	if (!err)
		err = disasm_dst(text, insn);
	if (!err)
		err = disasm_unused(text, insn, "off", insn->off);
	if (err)
		return err;
	if (insn->src_reg != 0)
		return disasm_lddw_pseudo(text, insn);
	return disasm_print(text, "r%u = 0x%llx ll", insn->dst_reg,
			    (unsigned long long)isa_lddw_imm(insn));
}

static int disasm_ld(struct disasm_text *text, const struct bpf_insn *insn, size_t avail)
{
	if (isa_is_lddw(insn->code))
		return disasm_lddw(text, insn, avail);
	if (isa_mode(insn->code) == BPF_ABS || isa_mode(insn->code) == BPF_IND)
		return disasm_ld_packet(text, insn);
	return disasm_bad_opcode(text, insn);
}

/* ---- Entry points ---------------------------------------------------- */

static int (*const disasm_by_class[8])(struct disasm_text *text,
				       const struct bpf_insn *insn, size_t avail) = {
	[BPF_LD] = disasm_ld,	 [BPF_LDX] = disasm_ldx,   [BPF_ST] = disasm_st,
	[BPF_STX] = disasm_stx,	 [BPF_ALU] = disasm_alu,   [BPF_JMP] = disasm_jmp,
	[BPF_JMP32] = disasm_jmp, [BPF_ALU64] = disasm_alu,
};

/* Formats insns[idx] into text; returns its slot count or -EINVAL. */
static int disasm_format(const struct bpf_insn *insns, size_t insn_cnt, size_t idx,
			 struct disasm_text *text)
{
	const struct bpf_insn *insn = insns + idx;
	int err = disasm_by_class[isa_class(insn->code)](text, insn, insn_cnt - idx);

	if (err)
		return err;
	return isa_is_lddw(insn->code) ? 2 : 1;
}

int bpfvm_disasm_insn(const struct bpf_insn *insns, size_t insn_cnt, size_t idx,
		      char *buf, size_t size)
{
	struct disasm_text text;
	int ret;

	if (!insns || idx >= insn_cnt) {
		disasm_invalid(&text, "instruction %zu out of range (%zu instructions)", idx,
			       insn_cnt);
		ret = -EINVAL;
	} else {
		ret = disasm_format(insns, insn_cnt, idx, &text);
	}
	if (ret < 0)
		vm_error("insn %zu: %s", idx, text.buf);
	if (buf && size > 0)
		snprintf(buf, size, "%s", text.buf);
	return ret;
}

/* A growing string for the whole listing. */
struct disasm_listing {
	char *buf;
	size_t len, capacity;
};

static bool listing_append(struct disasm_listing *listing, size_t idx, const char *line)
{
	size_t need = strlen(line) + 32; /* "%4zu: " + "\n" + NUL */

	if (listing->len + need > listing->capacity) {
		size_t capacity = (listing->capacity + need) * 2;
		char *grown = realloc(listing->buf, capacity);

		if (!grown)
			return false;
		listing->buf = grown;
		listing->capacity = capacity;
	}
	listing->len += (size_t)snprintf(listing->buf + listing->len,
					 listing->capacity - listing->len, "%4zu: %s\n", idx, line);
	return true;
}

char *bpfvm_disasm_prog(const struct bpf_insn *insns, size_t insn_cnt)
{
	struct disasm_listing listing = { .buf = calloc(1, 1), .capacity = 1 };
	size_t idx = 0;

	if (!listing.buf)
		return NULL;
	while (idx < insn_cnt) {
		struct disasm_text text;
		int slots = disasm_format(insns, insn_cnt, idx, &text);

		if (!listing_append(&listing, idx, text.buf)) {
			free(listing.buf);
			return NULL;
		}
		/* An invalid instruction takes one slot, so the rest still shows. */
		idx += slots > 0 ? (size_t)slots : 1;
	}
	return listing.buf;
}
