/* The assembler's lexer: one source line -> tokens, and the small readers the
 * parser builds on (a register, a number, an expected word or sign).
 *
 * A line is read as:   [index ":"] ["(" code ")"] { label ":" } [instruction] [comment]
 *
 * The index and the "(b7)" opcode prefix are what `bpftool prog dump xlated`
 * prints before each instruction; they are skipped so that its output reads
 * back. `;` starts a comment, and so does `#` unless it sits between a name and
 * a number, as in "call bpf_map_lookup_elem#1".
 */
#ifndef BPFVM_ISA_ASM_LEX_H
#define BPFVM_ISA_ASM_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum asm_token_kind {
	ASM_TOKEN_END,	  /* past the last token of the line */
	ASM_TOKEN_IDENT,  /* name: [A-Za-z_.][A-Za-z0-9_.]* */
	ASM_TOKEN_NUMBER, /* decimal or 0x hex, without sign */
	ASM_TOKEN_PUNCT,  /* operator or bracket: "=", "s>>=", "(", "#", ... */
};

struct asm_token {
	enum asm_token_kind kind;
	const char *text; /* points into the source text */
	size_t len;
	uint64_t value; /* ASM_TOKEN_NUMBER only */
};

/* The longest instruction, an atomic cmpxchg, is 18 tokens. */
#define ASM_LINE_TOKENS_MAX 48

struct asm_line {
	unsigned number; /* 1-based, for messages */
	struct asm_token tokens[ASM_LINE_TOKENS_MAX];
	size_t count; /* tokens[count] is ASM_TOKEN_END */
	size_t pos;   /* next token to read */
};

/* A signed integer as written: the parser checks it against the range of the
 * field it goes to. */
struct asm_number {
	bool negative;
	uint64_t magnitude;
};

/* A register operand: r0..r10 (64-bit) or w0..w10 (32-bit). */
struct asm_reg {
	uint8_t regno;
	bool is64;
};

/* Splits `len` bytes of `text` (one line, no newline) into line->tokens.
 * Returns 0 or -EINVAL (message recorded). */
int asm_lex_line(const char *text, size_t len, unsigned number,
		 struct asm_line *line);

/* Record "line N: <message>" and return -EINVAL. */
int asm_error(const struct asm_line *line, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int asm_error_at(unsigned line_number, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "unexpected 'x'" or "unexpected end of line", after `context`. */
int asm_error_unexpected(const struct asm_line *line, const char *context);

const struct asm_token *asm_peek(const struct asm_line *line, size_t ahead);
bool asm_token_is(const struct asm_token *token, enum asm_token_kind kind,
		  const char *text);

/* Consumes the next token if it is the punctuation / word `text`. */
bool asm_accept_punct(struct asm_line *line, const char *text);
bool asm_accept_word(struct asm_line *line, const char *text);

/* Same, but a different token is an error naming what was expected. */
int asm_expect_punct(struct asm_line *line, const char *text);
int asm_expect_word(struct asm_line *line, const char *text);
int asm_expect_end(struct asm_line *line);

/* True if the token names a register (r0..r10, w0..w10). */
bool asm_token_is_register(const struct asm_token *token);

/* True if the token is shaped like a register name, r<digits> or w<digits>,
 * even one that does not exist (r11): a statement that starts with it is
 * meant as a register statement, and the error is the register's. */
bool asm_token_looks_like_register(const struct asm_token *token);

/* Reads a register; "unknown register 'r11'" if it is not one. */
int asm_parse_register(struct asm_line *line, struct asm_reg *reg);

/* Reads a 64-bit register r0..r10, as addresses and most special forms use. */
int asm_parse_register64(struct asm_line *line, uint8_t *regno);

/* Reads a number with any signs before it: "5", "-8", "+4", and "+ -4" as
 * the kernel prints a negative ld_ind offset. */
int asm_parse_number(struct asm_line *line, struct asm_number *number);

/* Checks that `number` lies in [min, max] and returns its two's complement
 * bits in *bits; `what` names the field in the message ("jump offset 40000
 * out of range"). */
int asm_number_to_field(unsigned line_number,
			const struct asm_number *number, int64_t min,
			uint64_t max, const char *what, uint64_t *bits);

#endif
