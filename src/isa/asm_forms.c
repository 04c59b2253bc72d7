/* The assembler's instruction forms: one statement (the tokens of a line after
 * its labels) -> one instruction, or an lddw pair, emitted into the program
 * through asm.c's emit helpers.
 *
 * Immediate ranges: a field that the CPU sign-extends to 64 bits (ALU64, a
 * 64-bit store) takes -2^31..2^31-1, so that `r0 &= 0xffffffff` (which would
 * be a no-op, not a mask) is refused. 32-bit fields and jump comparisons also
 * take 2^31..2^32-1 as their two's complement, because the kernel prints jump
 * immediates as unsigned hex (`if r1 > 0xffffffff goto pc+1` compares with -1).
 */
#include <string.h>

#include "isa/asm.h"
#include "isa/asm_lex.h"
#include "isa/helper_names.h"
#include "isa/isa.h"

/* ---- Operand readers ------------------------------------------------ */

static int asm_parse_field(struct asm_line *line, int64_t min, uint64_t max,
			   const char *what, uint64_t *bits)
{
	struct asm_number number;
	int err = asm_parse_number(line, &number);

	return err ? err : asm_number_to_field(line->number, &number, min, max, what, bits);
}

static int asm_parse_imm32(struct asm_line *line, bool sign_extended,
			   const char *what, int32_t *imm)
{
	uint64_t bits;
	int err = asm_parse_field(line, S32_MIN, sign_extended ? S32_MAX : U32_MAX,
				  what, &bits);

	*imm = (int32_t)(uint32_t)bits;
	return err;
}

static bool asm_next_is_sign(const struct asm_line *line, size_t ahead)
{
	const struct asm_token *token = asm_peek(line, ahead);

	return asm_token_is(token, ASM_TOKEN_PUNCT, "+") ||
	       asm_token_is(token, ASM_TOKEN_PUNCT, "-");
}

/* pc+N, pc-N, or a label name. */
static int asm_parse_target(struct asm_line *line, struct asm_target *target)
{
	const struct asm_token *token = asm_peek(line, 0);

	target->label = NULL;
	if (asm_token_is(token, ASM_TOKEN_IDENT, "pc") && asm_next_is_sign(line, 1)) {
		line->pos++;
		return asm_parse_number(line, &target->delta);
	}
	if (token->kind != ASM_TOKEN_IDENT || asm_token_is_register(token))
		return asm_error_unexpected(line, "expected pc+N, pc-N or a label");
	target->label = token->text;
	target->len = token->len;
	line->pos++;
	return 0;
}

static const struct {
	const char *name;
	uint8_t size;
	bool is_signed;
} asm_mem_types[] = {
	{ "u8", BPF_B, false },	 { "u16", BPF_H, false }, { "u32", BPF_W, false },
	{ "u64", BPF_DW, false }, { "s8", BPF_B, true },   { "s16", BPF_H, true },
	{ "s32", BPF_W, true },
};

/* "(u32 *)" */
static int asm_parse_cast(struct asm_line *line, uint8_t *size, bool *is_signed)
{
	int err = asm_expect_punct(line, "(");

	if (err)
		return err;
	for (size_t i = 0; i < sizeof(asm_mem_types) / sizeof(asm_mem_types[0]); i++) {
		if (asm_accept_word(line, asm_mem_types[i].name)) {
			*size = asm_mem_types[i].size;
			*is_signed = asm_mem_types[i].is_signed;
			err = asm_expect_punct(line, "*");
			return err ? err : asm_expect_punct(line, ")");
		}
	}
	return asm_error_unexpected(line, "expected u8, u16, u32, u64, s8, s16 or s32");
}

/* "(r10 -8)": a base register and a signed 16-bit offset (default 0). */
static int asm_parse_address(struct asm_line *line, uint8_t *regno, int16_t *off)
{
	uint64_t bits = 0;
	int err = asm_expect_punct(line, "(");

	if (!err)
		err = asm_parse_register64(line, regno);
	if (!err && asm_next_is_sign(line, 0))
		err = asm_parse_field(line, INT16_MIN, INT16_MAX, "offset", &bits);
	if (!err)
		err = asm_expect_punct(line, ")");
	*off = (int16_t)(uint16_t)bits;
	return err;
}

/* "*(u32 *)(r1 +4)", unsigned types only (stores and atomics). */
static int asm_parse_unsigned_mem(struct asm_line *line, uint8_t *size,
				  uint8_t *regno, int16_t *off)
{
	size_t at = line->pos;
	bool is_signed;
	int err = asm_parse_cast(line, size, &is_signed);

	if (!err && is_signed) {
		line->pos = at + 1;
		return asm_error_unexpected(line, "stores and atomics take u8, u16, u32 or u64");
	}
	return err ? err : asm_parse_address(line, regno, off);
}

/* The second operand of an ALU or jump instruction: a register of the same
 * width as dst (BPF_X) or an immediate (BPF_K), which the CPU sign-extends
 * to 64 bits when `sign_extended` (see the range rule at the top). */
static int asm_parse_source(struct asm_line *line, struct asm_reg dst,
			    bool sign_extended, struct bpf_insn *insn)
{
	struct asm_reg src = { 0 };
	int err;

	if (!asm_token_is_register(asm_peek(line, 0)))
		return asm_parse_imm32(line, sign_extended, "immediate", &insn->imm);
	err = asm_parse_register(line, &src);
	if (err)
		return err;
	if (src.is64 != dst.is64)
		return asm_error(line, "both operands must be r registers or both w registers");
	insn->code |= BPF_X;
	insn->src_reg = src.regno;
	return 0;
}

static uint8_t alu_class(struct asm_reg reg)
{
	return reg.is64 ? BPF_ALU64 : BPF_ALU;
}

/* ---- Statements that start with a keyword ---------------------------- */

static int asm_exit(struct asm_program *prog, struct asm_line *line)
{
	struct bpf_insn insn = { .code = BPF_JMP | BPF_EXIT };
	int err = asm_expect_end(line);

	return err ? err : asm_emit(prog, line->number, &insn);
}

static int asm_goto_class(struct asm_program *prog, struct asm_line *line,
			  uint8_t class, enum asm_fixup_kind kind)
{
	struct bpf_insn insn = { .code = class | BPF_JA };
	struct asm_target target;
	int err = asm_parse_target(line, &target);

	if (!err)
		err = asm_expect_end(line);
	return err ? err : asm_emit_jump(prog, line, insn, kind, &target);
}

static int asm_goto(struct asm_program *prog, struct asm_line *line)
{
	return asm_goto_class(prog, line, BPF_JMP, ASM_FIXUP_JUMP);
}

/* gotol: JMP32|JA, whose offset is the 32-bit imm. */
static int asm_gotol(struct asm_program *prog, struct asm_line *line)
{
	return asm_goto_class(prog, line, BPF_JMP32, ASM_FIXUP_GOTOL);
}

/* "call bpf_map_lookup_elem#1": the number decides; a known name that
 * disagrees with it is a mistake worth reporting. */
static int asm_call_numbered(struct asm_program *prog, struct asm_line *line,
			     struct bpf_insn insn)
{
	const struct asm_token *name = asm_peek(line, 0);
	int64_t named_id = isa_helper_id(name->text, name->len);
	int err;

	line->pos++;
	err = asm_expect_punct(line, "#");
	if (!err)
		err = asm_parse_imm32(line, false, "helper id", &insn.imm);
	if (!err && named_id >= 0 && named_id != insn.imm)
		return asm_error(line, "'%.*s' is helper #%lld, not #%d", (int)name->len,
				 name->text, (long long)named_id, insn.imm);
	if (!err)
		err = asm_expect_end(line);
	return err ? err : asm_emit(prog, line->number, &insn);
}

/* "call kernel-function#N": a kfunc call by BTF id (src_reg 2). */
static int asm_call_kfunc(struct asm_program *prog, struct asm_line *line)
{
	struct bpf_insn insn = { .code = BPF_JMP | BPF_CALL,
				 .src_reg = BPF_PSEUDO_KFUNC_CALL };
	int err;

	line->pos += 3; /* kernel - function */
	err = asm_expect_punct(line, "#");
	if (!err)
		err = asm_parse_imm32(line, false, "BTF id", &insn.imm);
	if (!err)
		err = asm_expect_end(line);
	return err ? err : asm_emit(prog, line->number, &insn);
}

static bool asm_next_is_kfunc(const struct asm_line *line)
{
	return asm_token_is(asm_peek(line, 0), ASM_TOKEN_IDENT, "kernel") &&
	       asm_token_is(asm_peek(line, 1), ASM_TOKEN_PUNCT, "-") &&
	       asm_token_is(asm_peek(line, 2), ASM_TOKEN_IDENT, "function");
}

static int asm_call(struct asm_program *prog, struct asm_line *line)
{
	struct bpf_insn insn = { .code = BPF_JMP | BPF_CALL };
	const struct asm_token *token = asm_peek(line, 0);
	struct asm_target target;
	int err;

	if (asm_next_is_kfunc(line))
		return asm_call_kfunc(prog, line);
	if (token->kind == ASM_TOKEN_IDENT &&
	    asm_token_is(asm_peek(line, 1), ASM_TOKEN_PUNCT, "#"))
		return asm_call_numbered(prog, line, insn);
	if (token->kind == ASM_TOKEN_NUMBER || asm_next_is_sign(line, 0)) {
		err = asm_parse_imm32(line, false, "helper id", &insn.imm);
		if (!err)
			err = asm_expect_end(line);
		return err ? err : asm_emit(prog, line->number, &insn);
	}
	err = asm_parse_target(line, &target);
	/* bpftool annotates jited local calls: "call pc+5#0xffffffffc0001234". */
	if (!err && !target.label && asm_token_is(asm_peek(line, 0), ASM_TOKEN_PUNCT, "#"))
		line->pos = line->count;
	if (!err)
		err = asm_expect_end(line);
	insn.src_reg = BPF_PSEUDO_CALL;
	return err ? err : asm_emit_jump(prog, line, insn, ASM_FIXUP_CALL, &target);
}

/* callx: the register holding the helper id is in dst_reg. */
static int asm_callx(struct asm_program *prog, struct asm_line *line)
{
	struct bpf_insn insn = { .code = BPF_JMP | BPF_CALL | BPF_X };
	uint8_t regno = 0;
	int err = asm_parse_register64(line, &regno);

	insn.dst_reg = regno;
	if (!err)
		err = asm_expect_end(line);
	return err ? err : asm_emit(prog, line->number, &insn);
}

static const struct {
	const char *text;
	uint8_t op;
} asm_jump_ops[] = {
	{ "==", BPF_JEQ },   { "!=", BPF_JNE },	  { ">", BPF_JGT },   { ">=", BPF_JGE },
	{ "<", BPF_JLT },    { "<=", BPF_JLE },	  { "&", BPF_JSET },  { "s>", BPF_JSGT },
	{ "s>=", BPF_JSGE }, { "s<", BPF_JSLT }, { "s<=", BPF_JSLE },
};

static int asm_parse_jump_op(struct asm_line *line, uint8_t *op)
{
	for (size_t i = 0; i < sizeof(asm_jump_ops) / sizeof(asm_jump_ops[0]); i++) {
		if (asm_accept_punct(line, asm_jump_ops[i].text)) {
			*op = asm_jump_ops[i].op;
			return 0;
		}
	}
	return asm_error_unexpected(line, "expected a comparison (==, !=, >, s<, &, ...)");
}

/* "if r1 > 0x5 goto pc+3", "if w1 s< w2 goto label" */
static int asm_if(struct asm_program *prog, struct asm_line *line)
{
	struct bpf_insn insn = { 0 };
	struct asm_target target;
	struct asm_reg dst = { 0 };
	uint8_t op = 0;
	int err = asm_parse_register(line, &dst);

	if (!err)
		err = asm_parse_jump_op(line, &op);
	insn.code = (dst.is64 ? BPF_JMP : BPF_JMP32) | op;
	insn.dst_reg = dst.regno;
	if (!err)
		err = asm_parse_source(line, dst, false, &insn);
	if (!err)
		err = asm_expect_word(line, "goto");
	if (!err)
		err = asm_parse_target(line, &target);
	if (!err)
		err = asm_expect_end(line);
	return err ? err : asm_emit_jump(prog, line, insn, ASM_FIXUP_JUMP, &target);
}

static const struct {
	const char *text;
	int32_t imm;
} asm_lock_ops[] = {
	{ "+=", BPF_ADD },
	{ "&=", BPF_AND },
	{ "|=", BPF_OR },
	{ "^=", BPF_XOR },
};

static int asm_parse_lock_op(struct asm_line *line, int32_t *imm)
{
	for (size_t i = 0; i < sizeof(asm_lock_ops) / sizeof(asm_lock_ops[0]); i++) {
		if (asm_accept_punct(line, asm_lock_ops[i].text)) {
			*imm = asm_lock_ops[i].imm;
			return 0;
		}
	}
	return asm_error_unexpected(line, "expected +=, &=, |= or ^=");
}

static int asm_check_atomic_size(const struct asm_line *line, uint8_t size)
{
	if (size == BPF_W || size == BPF_DW)
		return 0;
	return asm_error(line, "atomic operations take u32 or u64");
}

/* "lock *(u64 *)(r10 -8) += r1" */
static int asm_lock(struct asm_program *prog, struct asm_line *line)
{
	struct bpf_insn insn = { 0 };
	uint8_t size = 0, dst = 0, src = 0;
	int16_t off = 0;
	int err = asm_expect_punct(line, "*");

	if (!err)
		err = asm_parse_unsigned_mem(line, &size, &dst, &off);
	if (!err)
		err = asm_check_atomic_size(line, size);
	if (!err)
		err = asm_parse_lock_op(line, &insn.imm);
	if (!err)
		err = asm_parse_register64(line, &src);
	if (!err)
		err = asm_expect_end(line);
	if (err)
		return err;
	insn.code = BPF_STX | BPF_ATOMIC | size;
	insn.dst_reg = dst;
	insn.src_reg = src;
	insn.off = off;
	return asm_emit(prog, line->number, &insn);
}

/* "*(u32 *)(r10 -8) = r1" (STX) or "= 5" (ST) */
static int asm_store(struct asm_program *prog, struct asm_line *line)
{
	struct bpf_insn insn = { 0 };
	uint8_t size = 0, dst = 0, src = 0;
	int16_t off = 0;
	int err = asm_parse_unsigned_mem(line, &size, &dst, &off);

	if (!err)
		err = asm_expect_punct(line, "=");
	if (!err && asm_token_is_register(asm_peek(line, 0))) {
		err = asm_parse_register64(line, &src);
		insn.code = BPF_STX | BPF_MEM | size;
	} else if (!err) {
		err = asm_parse_imm32(line, size == BPF_DW, "immediate", &insn.imm);
		insn.code = BPF_ST | BPF_MEM | size;
	}
	if (!err)
		err = asm_expect_end(line);
	if (err)
		return err;
	insn.dst_reg = dst;
	insn.src_reg = src;
	insn.off = off;
	return asm_emit(prog, line->number, &insn);
}

/* ---- Statements that start with a register ---------------------------- */

static const struct {
	const char *text;
	uint8_t op;
	int16_t off;
} asm_alu_ops[] = {
	{ "+=", BPF_ADD, 0 },  { "-=", BPF_SUB, 0 },	{ "*=", BPF_MUL, 0 },
	{ "/=", BPF_DIV, 0 },  { "s/=", BPF_DIV, ISA_OFF_SIGNED },
	{ "%=", BPF_MOD, 0 },  { "s%=", BPF_MOD, ISA_OFF_SIGNED },
	{ "|=", BPF_OR, 0 },   { "&=", BPF_AND, 0 },	{ "^=", BPF_XOR, 0 },
	{ "<<=", BPF_LSH, 0 }, { ">>=", BPF_RSH, 0 },	{ "s>>=", BPF_ARSH, 0 },
};

/* "r0 += r1", "w0 s%= 5" */
static int asm_alu_binary(struct asm_program *prog, struct asm_line *line,
			  struct asm_reg dst)
{
	struct bpf_insn insn = { .dst_reg = dst.regno };
	int err;

	for (size_t i = 0; i < sizeof(asm_alu_ops) / sizeof(asm_alu_ops[0]); i++) {
		if (!asm_accept_punct(line, asm_alu_ops[i].text))
			continue;
		insn.code = alu_class(dst) | asm_alu_ops[i].op;
		insn.off = asm_alu_ops[i].off;
		err = asm_parse_source(line, dst, dst.is64, &insn);
		if (!err)
			err = asm_expect_end(line);
		return err ? err : asm_emit(prog, line->number, &insn);
	}
	return asm_error_unexpected(line, "expected '=' or an ALU operator (+=, s>>=, ...)");
}

static int asm_expect_same_register(struct asm_line *line, struct asm_reg dst,
				    const char *form)
{
	struct asm_reg src = { 0 };
	int err = asm_parse_register(line, &src);

	if (err)
		return err;
	if (src.regno != dst.regno || src.is64 != dst.is64)
		return asm_error(line, "%s takes the same register on both sides", form);
	return 0;
}

/* "r0 = -r0" */
static int asm_neg(struct asm_program *prog, struct asm_line *line, struct asm_reg dst)
{
	struct bpf_insn insn = { .code = alu_class(dst) | BPF_NEG, .dst_reg = dst.regno };
	int err;

	line->pos++; /* - */
	err = asm_expect_same_register(line, dst, "negation");
	if (!err)
		err = asm_expect_end(line);
	return err ? err : asm_emit(prog, line->number, &insn);
}

/* "r0 = (s8)r1", "w0 = (s16)w1": sign-extending moves. */
static int asm_movsx(struct asm_program *prog, struct asm_line *line, struct asm_reg dst)
{
	struct bpf_insn insn = { .code = alu_class(dst) | BPF_MOV | BPF_X,
				 .dst_reg = dst.regno };
	struct asm_reg src = { 0 };
	int err;

	line->pos++; /* ( */
	if (asm_accept_word(line, "s8"))
		insn.off = 8;
	else if (asm_accept_word(line, "s16"))
		insn.off = 16;
	else if (dst.is64 && asm_accept_word(line, "s32"))
		insn.off = 32;
	else
		return asm_error_unexpected(line, dst.is64 ? "expected s8, s16 or s32"
							   : "expected s8 or s16");
	err = asm_expect_punct(line, ")");
	if (!err)
		err = asm_parse_register(line, &src);
	if (!err && src.is64 != dst.is64)
		err = asm_error(line, "both operands must be r registers or both w registers");
	if (!err)
		err = asm_expect_end(line);
	insn.src_reg = src.regno;
	return err ? err : asm_emit(prog, line->number, &insn);
}

static int asm_require64(const struct asm_line *line, struct asm_reg reg,
			 const char *form)
{
	if (reg.is64)
		return 0;
	return asm_error(line, "%s takes a 64-bit register r0..r10", form);
}

/* "r0 = *(u8 *)skb[4]", "r0 = *(u16 *)skb[r1 + 4]": legacy packet loads. */
static int asm_load_skb(struct asm_program *prog, struct asm_line *line,
			struct asm_reg dst, uint8_t size)
{
	struct bpf_insn insn = { .code = BPF_LD | BPF_ABS | size };
	uint8_t src = 0;
	int err = 0;

	line->pos++; /* skb */
	if (dst.regno != 0 || !dst.is64 || size == BPF_DW)
		return asm_error(line, "packet loads have the form 'r0 = *(u8|u16|u32 *)skb[...]'");
	err = asm_expect_punct(line, "[");
	if (!err && asm_token_is_register(asm_peek(line, 0))) {
		insn.code = BPF_LD | BPF_IND | size;
		err = asm_parse_register64(line, &src);
		if (!err && !asm_next_is_sign(line, 0))
			err = asm_error_unexpected(line, "expected '+ offset'");
	}
	if (!err)
		err = asm_parse_imm32(line, false, "packet offset", &insn.imm);
	if (!err)
		err = asm_expect_punct(line, "]");
	if (!err)
		err = asm_expect_end(line);
	insn.src_reg = src;
	return err ? err : asm_emit(prog, line->number, &insn);
}

/* "r0 = *(u32 *)(r1 +4)", "r0 = *(s8 *)(r1 +0)", and the skb forms. */
static int asm_load(struct asm_program *prog, struct asm_line *line, struct asm_reg dst)
{
	struct bpf_insn insn = { .dst_reg = dst.regno };
	uint8_t size = 0, src = 0;
	bool is_signed = false;
	int err;

	line->pos++; /* * */
	err = asm_parse_cast(line, &size, &is_signed);
	if (err)
		return err;
	if (!is_signed && asm_token_is(asm_peek(line, 0), ASM_TOKEN_IDENT, "skb"))
		return asm_load_skb(prog, line, dst, size);
	err = asm_require64(line, dst, "a load");
	if (!err)
		err = asm_parse_address(line, &src, &insn.off);
	if (!err)
		err = asm_expect_end(line);
	insn.code = BPF_LDX | (is_signed ? BPF_MEMSX : BPF_MEM) | size;
	insn.src_reg = src;
	return err ? err : asm_emit(prog, line->number, &insn);
}

static const struct {
	const char *name;
	uint8_t class;
	uint8_t source;
	int32_t width;
} asm_endian_ops[] = {
	{ "le16", BPF_ALU, BPF_TO_LE, 16 },	   { "le32", BPF_ALU, BPF_TO_LE, 32 },
	{ "le64", BPF_ALU, BPF_TO_LE, 64 },	   { "be16", BPF_ALU, BPF_TO_BE, 16 },
	{ "be32", BPF_ALU, BPF_TO_BE, 32 },	   { "be64", BPF_ALU, BPF_TO_BE, 64 },
	{ "bswap16", BPF_ALU64, BPF_TO_LE, 16 }, { "bswap32", BPF_ALU64, BPF_TO_LE, 32 },
	{ "bswap64", BPF_ALU64, BPF_TO_LE, 64 },
};

static int asm_find_endian(const struct asm_token *token)
{
	for (size_t i = 0; i < sizeof(asm_endian_ops) / sizeof(asm_endian_ops[0]); i++)
		if (asm_token_is(token, ASM_TOKEN_IDENT, asm_endian_ops[i].name))
			return (int)i;
	return -1;
}

/* "r0 = be16 r0", "r0 = bswap32 r0": the kernel prints r registers for all. */
static int asm_endian(struct asm_program *prog, struct asm_line *line,
		      struct asm_reg dst, int which)
{
	struct bpf_insn insn = {
		.code = asm_endian_ops[which].class | BPF_END | asm_endian_ops[which].source,
		.dst_reg = dst.regno,
		.imm = asm_endian_ops[which].width,
	};
	int err = asm_require64(line, dst, "a byte swap");

	line->pos++;
	if (!err)
		err = asm_expect_same_register(line, dst, "a byte swap");
	if (!err)
		err = asm_expect_end(line);
	return err ? err : asm_emit(prog, line->number, &insn);
}

static const struct {
	const char *name; /* after "atomic_" or "atomic64_" */
	int32_t imm;
} asm_atomic_funcs[] = {
	{ "fetch_add", BPF_ADD | BPF_FETCH }, { "fetch_and", BPF_AND | BPF_FETCH },
	{ "fetch_or", BPF_OR | BPF_FETCH },   { "fetch_xor", BPF_XOR | BPF_FETCH },
	{ "xchg", BPF_XCHG },		      { "cmpxchg", BPF_CMPXCHG },
};

/* Decodes "atomic64_fetch_add" into size and imm; false if not one. */
static bool asm_find_atomic(const struct asm_token *token, uint8_t *size, int32_t *imm)
{
	const char *name = token->text;
	size_t len = token->len;

	if (token->kind != ASM_TOKEN_IDENT)
		return false;
	if (len > 9 && memcmp(name, "atomic64_", 9) == 0) {
		*size = BPF_DW;
		name += 9, len -= 9;
	} else if (len > 7 && memcmp(name, "atomic_", 7) == 0) {
		*size = BPF_W;
		name += 7, len -= 7;
	} else {
		return false;
	}
	for (size_t i = 0; i < sizeof(asm_atomic_funcs) / sizeof(asm_atomic_funcs[0]); i++) {
		if (strlen(asm_atomic_funcs[i].name) == len &&
		    memcmp(asm_atomic_funcs[i].name, name, len) == 0) {
			*imm = asm_atomic_funcs[i].imm;
			return true;
		}
	}
	return false;
}

/* "r0, " in cmpxchg: the comparand is always r0. */
static int asm_expect_r0(struct asm_line *line)
{
	int err = asm_expect_word(line, "r0");

	return err ? err : asm_expect_punct(line, ",");
}

/* "r1 = atomic64_fetch_add((u64 *)(r10 -8), r1)",
 * "r0 = atomic_cmpxchg((u32 *)(r10 -8), r0, r1)" */
static int asm_atomic_fetch(struct asm_program *prog, struct asm_line *line,
			    struct asm_reg dst)
{
	struct bpf_insn insn = { 0 };
	uint8_t size = 0, cast_size = 0, base = 0, src = 0;
	bool cmpxchg;
	int16_t off = 0;
	int err;

	asm_find_atomic(asm_peek(line, 0), &size, &insn.imm);
	cmpxchg = insn.imm == BPF_CMPXCHG;
	line->pos++;
	err = asm_require64(line, dst, "an atomic operation");
	if (!err)
		err = asm_expect_punct(line, "(");
	if (!err)
		err = asm_parse_unsigned_mem(line, &cast_size, &base, &off);
	if (!err && cast_size != size)
		err = asm_error(line, "%s operates on %s", size == BPF_DW ? "atomic64_*" : "atomic_*",
				size == BPF_DW ? "u64" : "u32");
	if (!err)
		err = asm_expect_punct(line, ",");
	if (!err && cmpxchg)
		err = asm_expect_r0(line);
	if (!err)
		err = asm_parse_register64(line, &src);
	if (!err)
		err = asm_expect_punct(line, ")");
	if (!err)
		err = asm_expect_end(line);
	if (!err && cmpxchg && dst.regno != 0)
		err = asm_error(line, "cmpxchg returns the old value in r0");
	if (!err && !cmpxchg && dst.regno != src)
		err = asm_error(line, "the old value returns in the operand register: 'r%u = ...(..., r%u)'",
				src, src);
	insn.code = BPF_STX | BPF_ATOMIC | size;
	insn.dst_reg = base;
	insn.src_reg = src;
	insn.off = off;
	return err ? err : asm_emit(prog, line->number, &insn);
}

/* "[fd:5]" -> *kind = "fd", the number in *value */
static int asm_parse_tagged(struct asm_line *line, const char *const *tags,
			    const char **tag, uint64_t *value)
{
	int err = asm_expect_punct(line, "[");

	if (err)
		return err;
	*tag = NULL;
	for (size_t i = 0; tags[i] && !*tag; i++)
		if (asm_accept_word(line, tags[i]))
			*tag = tags[i];
	if (!*tag)
		return asm_error_unexpected(line, "expected a tag such as fd:, idx: or id:");
	err = asm_expect_punct(line, ":");
	if (!err)
		err = asm_parse_field(line, S32_MIN, U32_MAX, *tag, value);
	return err ? err : asm_expect_punct(line, "]");
}

/* The "0]" of bpftool's "map[id:N][0]+OFF" (element 0 of an array map),
 * after its "[". */
static int asm_expect_number_zero(struct asm_line *line)
{
	const struct asm_token *token = asm_peek(line, 0);

	if (token->kind != ASM_TOKEN_NUMBER || token->value != 0)
		return asm_error_unexpected(line, "expected [0]");
	line->pos++;
	return asm_expect_punct(line, "]");
}

/* "map[fd:5]", "map[fd:5][0]+16", "map[idx:2]", "map[idx:2]+16"; bpftool's
 * "map[id:N]" reads as fd. A value offset makes it a map value reference. */
static int asm_lddw_map(struct asm_program *prog, struct asm_line *line,
			struct asm_reg dst)
{
	static const char *const tags[] = { "fd", "id", "idx", NULL };
	uint64_t ref = 0, value_off = 0;
	bool is_value = false;
	const char *tag = NULL;
	uint8_t src;
	int err;

	line->pos++; /* map */
	err = asm_parse_tagged(line, tags, &tag, &ref);
	if (!err && asm_accept_punct(line, "[")) {
		is_value = true;
		err = asm_expect_number_zero(line);
	}
	if (!err && asm_next_is_sign(line, 0)) {
		is_value = true;
		err = asm_parse_field(line, S32_MIN, U32_MAX, "value offset", &value_off);
	}
	if (!err)
		err = asm_expect_end(line);
	if (err)
		return err;
	if (strcmp(tag, "idx") == 0)
		src = is_value ? BPF_PSEUDO_MAP_IDX_VALUE : BPF_PSEUDO_MAP_IDX;
	else
		src = is_value ? BPF_PSEUDO_MAP_VALUE : BPF_PSEUDO_MAP_FD;
	return asm_emit_lddw(prog, line->number, dst.regno, src,
			     (uint32_t)ref | (value_off << 32));
}

/* "btf[id:5]", "btf[id:5][fd:3]": a kernel variable by BTF id, the second
 * number being the fd of the module BTF that holds it (0: vmlinux). */
static int asm_lddw_btf(struct asm_program *prog, struct asm_line *line,
			struct asm_reg dst)
{
	static const char *const id_tag[] = { "id", NULL };
	static const char *const fd_tag[] = { "fd", NULL };
	uint64_t id = 0, fd = 0;
	const char *tag;
	int err;

	line->pos++; /* btf */
	err = asm_parse_tagged(line, id_tag, &tag, &id);
	if (!err && asm_token_is(asm_peek(line, 0), ASM_TOKEN_PUNCT, "["))
		err = asm_parse_tagged(line, fd_tag, &tag, &fd);
	if (!err)
		err = asm_expect_end(line);
	return err ? err : asm_emit_lddw(prog, line->number, dst.regno, BPF_PSEUDO_BTF_ID,
					 (uint32_t)id | (fd << 32));
}

/* "subprog[+5]" or "subprog[label]": the address of a subprogram, relative
 * to the next instruction as for calls. */
static int asm_lddw_subprog(struct asm_program *prog, struct asm_line *line,
			    struct asm_reg dst)
{
	struct bpf_insn insn = { .dst_reg = dst.regno, .src_reg = BPF_PSEUDO_FUNC };
	const struct asm_token *token;
	struct asm_target target = { 0 };
	int err;

	line->pos++; /* subprog */
	err = asm_expect_punct(line, "[");
	token = asm_peek(line, 0);
	if (!err && token->kind == ASM_TOKEN_IDENT && !asm_token_is_register(token)) {
		target.label = token->text;
		target.len = token->len;
		line->pos++;
	} else if (!err) {
		err = asm_parse_number(line, &target.delta);
	}
	if (!err)
		err = asm_expect_punct(line, "]");
	if (!err)
		err = asm_expect_end(line);
	return err ? err : asm_emit_jump(prog, line, insn, ASM_FIXUP_SUBPROG, &target);
}

/* "r0 = 5" (mov) or "r0 = 0x1122334455667788 ll" (lddw). */
static int asm_assign_number(struct asm_program *prog, struct asm_line *line,
			     struct asm_reg dst)
{
	struct bpf_insn insn = { .code = alu_class(dst) | BPF_MOV | BPF_K,
				 .dst_reg = dst.regno };
	size_t at = line->pos;
	struct asm_number number;
	uint64_t imm64;
	int err = asm_parse_number(line, &number);

	if (!err && asm_accept_word(line, "ll")) {
		err = asm_require64(line, dst, "lddw");
		if (!err)
			err = asm_number_to_field(line->number, &number, INT64_MIN,
						  UINT64_MAX, "immediate", &imm64);
		if (!err)
			err = asm_expect_end(line);
		return err ? err : asm_emit_lddw(prog, line->number, dst.regno, 0, imm64);
	}
	line->pos = at;
	err = asm_parse_source(line, dst, dst.is64, &insn);
	if (!err)
		err = asm_expect_end(line);
	return err ? err : asm_emit(prog, line->number, &insn);
}

/* "r0 = r1", "w0 = w1" */
static int asm_assign_register(struct asm_program *prog, struct asm_line *line,
			       struct asm_reg dst)
{
	struct bpf_insn insn = { .code = alu_class(dst) | BPF_MOV, .dst_reg = dst.regno };
	int err = asm_parse_source(line, dst, dst.is64, &insn);

	if (!err)
		err = asm_expect_end(line);
	return err ? err : asm_emit(prog, line->number, &insn);
}

/* Right-hand sides that start with a name: a register, a byte swap, an
 * atomic function, or an lddw pseudo source. */
static int asm_assign_name(struct asm_program *prog, struct asm_line *line,
			   struct asm_reg dst)
{
	const struct asm_token *token = asm_peek(line, 0);
	int endian = asm_find_endian(token);
	uint8_t size;
	int32_t imm;
	int err = 0;

	if (asm_token_is_register(token))
		return asm_assign_register(prog, line, dst);
	if (endian >= 0)
		return asm_endian(prog, line, dst, endian);
	if (asm_find_atomic(token, &size, &imm))
		return asm_atomic_fetch(prog, line, dst);
	if (asm_token_is(token, ASM_TOKEN_IDENT, "map") ||
	    asm_token_is(token, ASM_TOKEN_IDENT, "btf") ||
	    asm_token_is(token, ASM_TOKEN_IDENT, "subprog"))
		err = asm_require64(line, dst, "lddw");
	if (err)
		return err;
	if (asm_token_is(token, ASM_TOKEN_IDENT, "map"))
		return asm_lddw_map(prog, line, dst);
	if (asm_token_is(token, ASM_TOKEN_IDENT, "btf"))
		return asm_lddw_btf(prog, line, dst);
	if (asm_token_is(token, ASM_TOKEN_IDENT, "subprog"))
		return asm_lddw_subprog(prog, line, dst);
	if (asm_token_looks_like_register(token))
		return asm_parse_register(line, &(struct asm_reg){ 0 }); /* r11 */
	return asm_error(line, "unknown operand '%.*s'", (int)token->len, token->text);
}

/* "REG = ...": every form whose operator is a plain "=". */
static int asm_assign(struct asm_program *prog, struct asm_line *line,
		      struct asm_reg dst)
{
	const struct asm_token *token = asm_peek(line, 0);

	if (asm_token_is(token, ASM_TOKEN_PUNCT, "-") &&
	    asm_token_is_register(asm_peek(line, 1)))
		return asm_neg(prog, line, dst);
	if (asm_token_is(token, ASM_TOKEN_PUNCT, "("))
		return asm_movsx(prog, line, dst);
	if (asm_token_is(token, ASM_TOKEN_PUNCT, "*"))
		return asm_load(prog, line, dst);
	if (token->kind == ASM_TOKEN_IDENT)
		return asm_assign_name(prog, line, dst);
	return asm_assign_number(prog, line, dst);
}

static int asm_register_statement(struct asm_program *prog, struct asm_line *line)
{
	struct asm_reg dst = { 0 };
	int err = asm_parse_register(line, &dst);

	if (err)
		return err;
	if (asm_accept_punct(line, "="))
		return asm_assign(prog, line, dst);
	return asm_alu_binary(prog, line, dst);
}

/* ---- Statements ------------------------------------------------------ */

static const struct {
	const char *word;
	int (*parse)(struct asm_program *prog, struct asm_line *line);
} asm_keywords[] = {
	{ "exit", asm_exit }, { "goto", asm_goto },   { "gotol", asm_gotol },
	{ "call", asm_call }, { "callx", asm_callx }, { "if", asm_if },
	{ "lock", asm_lock },
};

int asm_statement(struct asm_program *prog, struct asm_line *line)
{
	const struct asm_token *token = asm_peek(line, 0);

	if (token->kind == ASM_TOKEN_END)
		return 0;
	for (size_t i = 0; i < sizeof(asm_keywords) / sizeof(asm_keywords[0]); i++)
		if (asm_accept_word(line, asm_keywords[i].word))
			return asm_keywords[i].parse(prog, line);
	if (asm_accept_punct(line, "*"))
		return asm_store(prog, line);
	if (asm_token_looks_like_register(token))
		return asm_register_statement(prog, line);
	if (token->kind == ASM_TOKEN_IDENT)
		return asm_error(line, "unknown instruction '%.*s'", (int)token->len, token->text);
	return asm_error_unexpected(line, "expected an instruction");
}
