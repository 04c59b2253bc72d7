/* The conformance suite's assembly syntax (suite_asm.h), in two passes: the
 * first places labels, the second encodes with them. The suite's rules:
 *
 *   registers      %r0..%r10 (or r0..r10)
 *   numbers        decimal or 0x-hex, with a sign; truncated to the field
 *                  (`mov32 %r1, -1` is imm 0xffffffff)
 *   memory         [%rN], [%rN+off], [%rN-off]
 *   jump targets   +N, -N (slots), or a label; the first `exit` is also the
 *                  label `exit` unless one is defined; lddw takes two slots
 *   sdiv, smod     div, mod with off 1; movsxB{64,32} mov with off B
 *   call           `call N` (helper), `call local LABEL` (src 1, pc-relative
 *                  imm), `call runtime N` (src 2), `call %rN` (callx, the
 *                  register in dst as RFC 9669 puts it)
 *   lock           lock [fetch] add|and|or|xor[32], lock xchg|cmpxchg[32]
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite_asm.h"

#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80
#endif

#define ASM_MAX_TOKENS 6
#define ASM_LINE_MAX 256

struct asm_label {
	char name[64];
	size_t slot;
};

struct asm_state {
	struct bpf_insn *insns;
	size_t cnt, cap;
	struct asm_label *labels;
	size_t label_cnt;
	bool exit_seen; /* the first exit is the label "exit"; kept from pass 1 */
	size_t exit_slot;
	bool final_pass;
	unsigned line;
	char *err;
	size_t err_size;
};

struct asm_line {
	char buf[ASM_LINE_MAX];
	char *tok[ASM_MAX_TOKENS];
	int cnt;
};

static int asm_error(struct asm_state *as, const char *fmt, ...)
{
	va_list ap;
	int len = snprintf(as->err, as->err_size, "line %u: ", as->line);

	va_start(ap, fmt);
	if (len >= 0 && (size_t)len < as->err_size)
		vsnprintf(as->err + len, as->err_size - (size_t)len, fmt, ap);
	va_end(ap);
	return -1;
}

/* Splits on whitespace and commas; a bracketed operand is one token, its
 * spaces dropped ("[%r1 + 4]" is "[%r1+4]"). */
static int tokenize(struct asm_state *as, const char *text, size_t len, struct asm_line *line)
{
	size_t out = 0;

	line->cnt = 0;
	for (size_t i = 0; i < len;) {
		bool bracket;

		while (i < len && (isspace((unsigned char)text[i]) || text[i] == ','))
			i++;
		if (i == len)
			break;
		if (line->cnt == ASM_MAX_TOKENS || out + 2 >= sizeof(line->buf))
			return asm_error(as, "too many operands");
		line->tok[line->cnt++] = line->buf + out;
		bracket = text[i] == '[';
		while (i < len && out + 1 < sizeof(line->buf)) {
			char c = text[i];

			if (bracket ? c == ']' : (isspace((unsigned char)c) || c == ','))
				break;
			if (!isspace((unsigned char)c))
				line->buf[out++] = c;
			i++;
		}
		if (bracket) {
			if (i == len)
				return asm_error(as, "missing ']'");
			line->buf[out++] = text[i++];
		}
		line->buf[out++] = '\0';
	}
	return 0;
}

static int parse_number(struct asm_state *as, const char *tok, uint64_t *value)
{
	bool negative = *tok == '-';
	const char *digits = tok + (*tok == '-' || *tok == '+');
	char *end;

	errno = 0;
	*value = strtoull(digits, &end, strstr(digits, "0x") == digits ? 16 : 10);
	if (!*digits || *end || errno || *digits == '-' || *digits == '+')
		return asm_error(as, "invalid number '%s'", tok);
	if (negative)
		*value = -*value;
	return 0;
}

static int parse_imm(struct asm_state *as, const char *tok, int32_t *imm)
{
	uint64_t value;

	if (parse_number(as, tok, &value))
		return -1;
	*imm = (int32_t)(uint32_t)value;
	return 0;
}

static bool is_register(const char *tok)
{
	return tok[0] == '%' || (tok[0] == 'r' && isdigit((unsigned char)tok[1]));
}

static int parse_register(struct asm_state *as, const char *tok, uint8_t *reg)
{
	const char *p = tok + (*tok == '%');
	char *end;
	unsigned long n;

	if (*p != 'r' || !isdigit((unsigned char)p[1]))
		return asm_error(as, "invalid register '%s'", tok);
	n = strtoul(p + 1, &end, 10);
	if (*end || n > 15)
		return asm_error(as, "invalid register '%s'", tok);
	*reg = (uint8_t)n;
	return 0;
}

/* [%rN], [%rN+off], [%rN-off] */
static int parse_memory(struct asm_state *as, const char *tok, uint8_t *reg, int16_t *off)
{
	char inner[64];
	size_t len = strlen(tok);
	char *sign;
	uint64_t value = 0;

	if (len < 3 || tok[0] != '[' || tok[len - 1] != ']' || len - 2 >= sizeof(inner))
		return asm_error(as, "invalid memory operand '%s'", tok);
	memcpy(inner, tok + 1, len - 2);
	inner[len - 2] = '\0';
	sign = strpbrk(inner, "+-");
	if (sign) {
		if (parse_number(as, sign, &value))
			return -1;
		*sign = '\0';
	}
	*off = (int16_t)(uint16_t)value;
	return parse_register(as, inner, reg);
}

static const struct asm_label *find_label(const struct asm_state *as, const char *name)
{
	for (size_t i = 0; i < as->label_cnt; i++)
		if (strcmp(as->labels[i].name, name) == 0)
			return &as->labels[i];
	return NULL;
}

static int add_label(struct asm_state *as, const char *name)
{
	struct asm_label *labels;

	if (as->final_pass)
		return 0;
	if (find_label(as, name))
		return asm_error(as, "label '%s' defined twice", name);
	if (strlen(name) >= sizeof(labels->name))
		return asm_error(as, "label '%s' too long", name);
	labels = realloc(as->labels, (as->label_cnt + 1) * sizeof(*labels));
	if (!labels)
		return asm_error(as, "out of memory");
	as->labels = labels;
	strcpy(labels[as->label_cnt].name, name);
	labels[as->label_cnt++].slot = as->cnt;
	return 0;
}

/* The distance in slots from the next instruction to the target. */
static int parse_target(struct asm_state *as, const char *tok, int32_t *delta)
{
	const struct asm_label *label;
	uint64_t value;

	if (*tok == '+' || *tok == '-' || isdigit((unsigned char)*tok)) {
		if (parse_number(as, tok, &value))
			return -1;
		*delta = (int32_t)value;
		return 0;
	}
	label = find_label(as, tok);
	if (!label && strcmp(tok, "exit") == 0 && as->exit_seen) {
		*delta = (int32_t)as->exit_slot - (int32_t)(as->cnt + 1);
		return 0;
	}
	if (!label) {
		*delta = 0;
		return as->final_pass ? asm_error(as, "unknown label '%s'", tok) : 0;
	}
	*delta = (int32_t)label->slot - (int32_t)(as->cnt + 1);
	return 0;
}

static int emit(struct asm_state *as, uint8_t code, uint8_t dst, uint8_t src, int16_t off,
		int32_t imm)
{
	if (as->cnt == as->cap) {
		size_t cap = as->cap ? as->cap * 2 : 64;
		struct bpf_insn *insns = realloc(as->insns, cap * sizeof(*insns));

		if (!insns)
			return asm_error(as, "out of memory");
		as->insns = insns;
		as->cap = cap;
	}
	as->insns[as->cnt++] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src,
						  .off = off, .imm = imm };
	return 0;
}

static int expect_operands(struct asm_state *as, const struct asm_line *line, int cnt)
{
	if (line->cnt != cnt + 1)
		return asm_error(as, "'%s' takes %d operand%s", line->tok[0], cnt, cnt == 1 ? "" : "s");
	return 0;
}

/* Strips a "32" or "64" width suffix; true for 32. */
static bool strip_width(char *name)
{
	size_t len = strlen(name);

	if (len > 2 && (strcmp(name + len - 2, "32") == 0 || strcmp(name + len - 2, "64") == 0)) {
		bool is32 = name[len - 2] == '3';

		name[len - 2] = '\0';
		return is32;
	}
	return false;
}

struct op_name {
	const char *name;
	uint8_t op;
	int16_t off;
};

static const struct op_name alu_ops[] = {
	{ "add", BPF_ADD, 0 }, { "sub", BPF_SUB, 0 }, { "mul", BPF_MUL, 0 }, { "div", BPF_DIV, 0 },
	{ "sdiv", BPF_DIV, 1 }, { "or", BPF_OR, 0 }, { "and", BPF_AND, 0 }, { "lsh", BPF_LSH, 0 },
	{ "rsh", BPF_RSH, 0 }, { "mod", BPF_MOD, 0 }, { "smod", BPF_MOD, 1 }, { "xor", BPF_XOR, 0 },
	{ "mov", BPF_MOV, 0 }, { "arsh", BPF_ARSH, 0 }, { NULL, 0, 0 },
};

static const struct op_name jmp_ops[] = {
	{ "jeq", BPF_JEQ, 0 }, { "jgt", BPF_JGT, 0 }, { "jge", BPF_JGE, 0 }, { "jset", BPF_JSET, 0 },
	{ "jne", BPF_JNE, 0 }, { "jsgt", BPF_JSGT, 0 }, { "jsge", BPF_JSGE, 0 }, { "jlt", BPF_JLT, 0 },
	{ "jle", BPF_JLE, 0 }, { "jslt", BPF_JSLT, 0 }, { "jsle", BPF_JSLE, 0 }, { NULL, 0, 0 },
};

static const struct op_name *find_op(const struct op_name *table, const char *name)
{
	for (; table->name; table++)
		if (strcmp(table->name, name) == 0)
			return table;
	return NULL;
}

static int encode_alu(struct asm_state *as, const struct asm_line *line, const struct op_name *op,
		      bool is32)
{
	uint8_t class = is32 ? BPF_ALU : BPF_ALU64, dst, src;
	int32_t imm;

	if (expect_operands(as, line, 2) || parse_register(as, line->tok[1], &dst))
		return -1;
	if (is_register(line->tok[2])) {
		if (parse_register(as, line->tok[2], &src))
			return -1;
		return emit(as, class | BPF_X | op->op, dst, src, op->off, 0);
	}
	if (parse_imm(as, line->tok[2], &imm))
		return -1;
	return emit(as, class | BPF_K | op->op, dst, 0, op->off, imm);
}

struct movsx_form {
	const char *name;
	int16_t bits;
	bool is32;
};

static const struct movsx_form movsx_forms[] = {
	{ "movsx864", 8, false }, { "movsx1664", 16, false }, { "movsx3264", 32, false },
	{ "movsx832", 8, true }, { "movsx1632", 16, true }, { NULL, 0, false },
};

/* movsxSD: mov with sign extension from S bits, D the destination width. */
static int encode_movsx(struct asm_state *as, const struct asm_line *line)
{
	const struct movsx_form *form = movsx_forms;
	uint8_t dst, src;

	while (form->name && strcmp(form->name, line->tok[0]) != 0)
		form++;
	if (!form->name)
		return asm_error(as, "unknown mnemonic '%s'", line->tok[0]);
	if (expect_operands(as, line, 2) || parse_register(as, line->tok[1], &dst) ||
	    parse_register(as, line->tok[2], &src))
		return -1;
	return emit(as, (form->is32 ? BPF_ALU : BPF_ALU64) | BPF_X | BPF_MOV, dst, src, form->bits,
		    0);
}

static int encode_neg(struct asm_state *as, const struct asm_line *line, bool is32)
{
	uint8_t dst;

	if (expect_operands(as, line, 1) || parse_register(as, line->tok[1], &dst))
		return -1;
	return emit(as, (is32 ? BPF_ALU : BPF_ALU64) | BPF_NEG, dst, 0, 0, 0);
}

/* be16 (to big endian), le16 (to little endian), bswap16 (unconditional;
 * swap16 in the suite's older files). */
static int encode_endian(struct asm_state *as, const struct asm_line *line)
{
	const char *name = line->tok[0];
	bool bswap = strncmp(name, "bswap", 5) == 0 || strncmp(name, "swap", 4) == 0;
	const char *bits = name + (bswap ? strlen(name) - 2 : 2);
	uint8_t code, dst;

	if (strcmp(bits, "16") && strcmp(bits, "32") && strcmp(bits, "64"))
		return asm_error(as, "unknown mnemonic '%s'", name);
	if (bswap)
		code = BPF_ALU64 | BPF_END | BPF_K;
	else
		code = BPF_ALU | BPF_END | (name[0] == 'b' ? BPF_X : BPF_K);
	if (expect_operands(as, line, 1) || parse_register(as, line->tok[1], &dst))
		return -1;
	return emit(as, code, dst, 0, 0, atoi(bits));
}

static int encode_lddw(struct asm_state *as, const struct asm_line *line)
{
	uint64_t value;
	uint8_t dst;

	if (expect_operands(as, line, 2) || parse_register(as, line->tok[1], &dst) ||
	    parse_number(as, line->tok[2], &value))
		return -1;
	if (emit(as, BPF_LD | BPF_IMM | BPF_DW, dst, 0, 0, (int32_t)(uint32_t)value))
		return -1;
	return emit(as, 0, 0, 0, 0, (int32_t)(uint32_t)(value >> 32));
}

static int size_code(struct asm_state *as, const char *suffix, uint8_t *size)
{
	if (strcmp(suffix, "b") == 0)
		*size = BPF_B;
	else if (strcmp(suffix, "h") == 0)
		*size = BPF_H;
	else if (strcmp(suffix, "w") == 0)
		*size = BPF_W;
	else if (strcmp(suffix, "dw") == 0)
		*size = BPF_DW;
	else
		return asm_error(as, "unknown access size '%s'", suffix);
	return 0;
}

/* ldx{b,h,w,dw} dst, [src+off]; ldxs{b,h,w} sign-extends. */
static int encode_ldx(struct asm_state *as, const struct asm_line *line)
{
	const char *suffix = line->tok[0] + 3;
	uint8_t mode = BPF_MEM, size, dst, src;
	int16_t off;

	if (suffix[0] == 's' && strcmp(suffix, "s") != 0) {
		mode = BPF_MEMSX;
		suffix++;
	}
	if (size_code(as, suffix, &size) || expect_operands(as, line, 2) ||
	    parse_register(as, line->tok[1], &dst) || parse_memory(as, line->tok[2], &src, &off))
		return -1;
	return emit(as, BPF_LDX | mode | size, dst, src, off, 0);
}

/* st{b,h,w,dw} [dst+off], imm and stx{b,h,w,dw} [dst+off], src. */
static int encode_store(struct asm_state *as, const struct asm_line *line)
{
	bool from_reg = line->tok[0][2] == 'x';
	uint8_t size, dst, src = 0;
	int32_t imm = 0;
	int16_t off;

	if (size_code(as, line->tok[0] + (from_reg ? 3 : 2), &size) ||
	    expect_operands(as, line, 2) || parse_memory(as, line->tok[1], &dst, &off))
		return -1;
	if (from_reg ? parse_register(as, line->tok[2], &src) : parse_imm(as, line->tok[2], &imm))
		return -1;
	return emit(as, (from_reg ? BPF_STX : BPF_ST) | BPF_MEM | size, dst, src, off, imm);
}

/* lock [fetch] OP[32] [dst+off], src; xchg and cmpxchg always fetch. */
static int encode_lock(struct asm_state *as, const struct asm_line *line)
{
	static const struct op_name atomic_ops[] = {
		{ "add", BPF_ADD, 0 }, { "and", BPF_AND, 0 }, { "or", BPF_OR, 0 }, { "xor", BPF_XOR, 0 },
		{ "xchg", BPF_XCHG, 0 }, { "cmpxchg", BPF_CMPXCHG, 0 }, { NULL, 0, 0 },
	};
	bool fetch = line->cnt > 1 && strcmp(line->tok[1], "fetch") == 0;
	int first = fetch ? 2 : 1;
	const struct op_name *op;
	char name[16];
	uint8_t dst, src;
	int16_t off;
	bool is32;

	if (line->cnt != first + 3)
		return asm_error(as, "invalid number of operands for lock");
	snprintf(name, sizeof(name), "%s", line->tok[first]);
	is32 = strip_width(name);
	op = find_op(atomic_ops, name);
	if (!op)
		return asm_error(as, "unknown atomic operation '%s'", line->tok[first]);
	if (parse_memory(as, line->tok[first + 1], &dst, &off) ||
	    parse_register(as, line->tok[first + 2], &src))
		return -1;
	return emit(as, BPF_STX | BPF_ATOMIC | (is32 ? BPF_W : BPF_DW), dst, src, off,
		    op->op | (fetch ? BPF_FETCH : 0));
}

static int encode_jump(struct asm_state *as, const struct asm_line *line, const struct op_name *op,
		       bool is32)
{
	uint8_t class = is32 ? BPF_JMP32 : BPF_JMP, dst, src;
	int32_t imm, delta;

	if (expect_operands(as, line, 3) || parse_register(as, line->tok[1], &dst) ||
	    parse_target(as, line->tok[3], &delta))
		return -1;
	if (is_register(line->tok[2])) {
		if (parse_register(as, line->tok[2], &src))
			return -1;
		return emit(as, class | BPF_X | op->op, dst, src, (int16_t)delta, 0);
	}
	if (parse_imm(as, line->tok[2], &imm))
		return -1;
	return emit(as, class | BPF_K | op->op, dst, 0, (int16_t)delta, imm);
}

/* ja TARGET (off), ja32 TARGET (gotol: imm). */
static int encode_ja(struct asm_state *as, const struct asm_line *line, bool is32)
{
	int32_t delta;

	if (expect_operands(as, line, 1) || parse_target(as, line->tok[1], &delta))
		return -1;
	if (is32)
		return emit(as, BPF_JMP32 | BPF_JA, 0, 0, 0, delta);
	return emit(as, BPF_JMP | BPF_JA, 0, 0, (int16_t)delta, 0);
}

static int encode_call(struct asm_state *as, const struct asm_line *line)
{
	const char *kind = line->cnt == 3 ? line->tok[1] : "helper";
	const char *arg = line->tok[line->cnt - 1];
	int32_t value;
	uint8_t reg;

	if (line->cnt != 2 && line->cnt != 3)
		return asm_error(as, "'call' takes one operand, after 'local' or 'runtime'");
	if (line->cnt == 2 && is_register(arg)) {
		if (parse_register(as, arg, &reg))
			return -1;
		return emit(as, BPF_JMP | BPF_CALL | BPF_X, reg, 0, 0, 0);
	}
	if (strcmp(kind, "local") == 0) {
		if (parse_target(as, arg, &value))
			return -1;
		return emit(as, BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, value);
	}
	if (parse_imm(as, arg, &value))
		return -1;
	if (strcmp(kind, "runtime") == 0)
		return emit(as, BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, value);
	if (strcmp(kind, "helper") == 0)
		return emit(as, BPF_JMP | BPF_CALL, 0, 0, 0, value);
	return asm_error(as, "unknown call kind '%s'", kind);
}

static int encode_exit(struct asm_state *as, const struct asm_line *line)
{
	if (expect_operands(as, line, 0))
		return -1;
	if (!as->exit_seen) {
		as->exit_seen = true;
		as->exit_slot = as->cnt;
	}
	return emit(as, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* The mnemonics whose name is not an operation plus a width. */
static int encode_named(struct asm_state *as, const struct asm_line *line, bool *done)
{
	const char *name = line->tok[0];

	*done = true;
	if (strcmp(name, "exit") == 0)
		return encode_exit(as, line);
	if (strcmp(name, "call") == 0)
		return encode_call(as, line);
	if (strcmp(name, "lock") == 0)
		return encode_lock(as, line);
	if (strcmp(name, "lddw") == 0)
		return encode_lddw(as, line);
	if (strncmp(name, "ldx", 3) == 0)
		return encode_ldx(as, line);
	if (strncmp(name, "st", 2) == 0)
		return encode_store(as, line);
	if (strncmp(name, "movsx", 5) == 0)
		return encode_movsx(as, line);
	if (strncmp(name, "be", 2) == 0 || strncmp(name, "le", 2) == 0 ||
	    strncmp(name, "bswap", 5) == 0 || strncmp(name, "swap", 4) == 0)
		return encode_endian(as, line);
	*done = false;
	return 0;
}

static int encode_line(struct asm_state *as, const struct asm_line *line)
{
	const struct op_name *op;
	char name[16];
	bool done, is32;
	int err = encode_named(as, line, &done);

	if (done)
		return err;
	snprintf(name, sizeof(name), "%s", line->tok[0]);
	is32 = strip_width(name);
	if (strcmp(name, "neg") == 0)
		return encode_neg(as, line, is32);
	if (strcmp(name, "ja") == 0)
		return encode_ja(as, line, is32);
	op = find_op(alu_ops, name);
	if (op)
		return encode_alu(as, line, op, is32);
	op = find_op(jmp_ops, name);
	if (op)
		return encode_jump(as, line, op, is32);
	return asm_error(as, "unknown mnemonic '%s'", line->tok[0]);
}

static int assemble_line(struct asm_state *as, const char *text, size_t len)
{
	const char *hash = memchr(text, '#', len);
	struct asm_line line;

	if (hash)
		len = (size_t)(hash - text);
	if (tokenize(as, text, len, &line))
		return -1;
	if (line.cnt == 0)
		return 0;
	if (line.cnt == 1) {
		size_t tok_len = strlen(line.tok[0]);

		if (tok_len > 1 && line.tok[0][tok_len - 1] == ':') {
			line.tok[0][tok_len - 1] = '\0';
			return add_label(as, line.tok[0]);
		}
	}
	return encode_line(as, &line);
}

static int assemble_pass(struct asm_state *as, const char *text)
{
	as->cnt = 0;
	as->line = 0;
	while (*text) {
		const char *end = strchr(text, '\n');
		size_t len = end ? (size_t)(end - text) : strlen(text);

		as->line++;
		if (assemble_line(as, text, len))
			return -1;
		text += len + (end != NULL);
	}
	return 0;
}

int suite_asm(const char *text, struct bpf_insn **insns, size_t *cnt, char *err, size_t err_size)
{
	struct asm_state as = { .err = err, .err_size = err_size };
	int ret = assemble_pass(&as, text);

	if (!ret) {
		as.final_pass = true;
		ret = assemble_pass(&as, text);
	}
	free(as.labels);
	if (ret) {
		free(as.insns);
		return -1;
	}
	*insns = as.insns;
	*cnt = as.cnt;
	return 0;
}
