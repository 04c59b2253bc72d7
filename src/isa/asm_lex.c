/* The assembler's lexer and token readers (see asm_lex.h for the line
 * layout). Tokens point into the caller's text: nothing is copied, and a
 * message can quote the source exactly. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "isa/asm_lex.h"

/* Longest first, so that "s>>=" is not read as "s>" ">" "=" and "<<=" not as
 * "<" "<=". */
static const char *const asm_puncts[] = {
	"s>>=", "<<=", ">>=", "s/=", "s%=", "s>=", "s<=", "+=", "-=", "*=",
	"/=",	"|=",  "&=",  "%=",  "^=",  "==",  "!=",  ">=", "<=", "s>",
	"s<",	"=",   ">",   "<",   "&",   "(",   ")",   "[",  "]",  "*",
	",",	":",   "+",   "-",
};

#define ASM_PUNCT_COUNT (sizeof(asm_puncts) / sizeof(asm_puncts[0]))

#define ASM_MESSAGE_MAX 256

static int asm_verror(unsigned line_number, const char *fmt, va_list ap)
{
	char message[ASM_MESSAGE_MAX];

	vsnprintf(message, sizeof(message), fmt, ap);
	vm_error("line %u: %s", line_number, message);
	return -EINVAL;
}

int asm_error(const struct asm_line *line, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = asm_verror(line->number, fmt, ap);
	va_end(ap);
	return err;
}

int asm_error_at(unsigned line_number, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = asm_verror(line_number, fmt, ap);
	va_end(ap);
	return err;
}

int asm_error_unexpected(const struct asm_line *line, const char *context)
{
	const struct asm_token *token = asm_peek(line, 0);

	if (token->kind == ASM_TOKEN_END)
		return asm_error(line, "%s: unexpected end of line", context);
	return asm_error(line, "%s: unexpected '%.*s'", context, (int)token->len,
			 token->text);
}

/* ---- Lexer ---------------------------------------------------------- */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex_digit(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == '.';
}

static bool is_ident_char(char c)
{
	return is_ident_start(c) || is_digit(c);
}

static size_t skip_spaces(const char *text, size_t len, size_t at)
{
	while (at < len && is_space(text[at]))
		at++;
	return at;
}

/* Skips what bpftool prints before an instruction: "  12: (b7) ". */
static size_t skip_bpftool_prefix(const char *text, size_t len)
{
	size_t at = skip_spaces(text, len, 0);
	size_t end = at;

	while (end < len && is_digit(text[end]))
		end++;
	if (end > at) {
		size_t colon = skip_spaces(text, len, end);

		if (colon < len && text[colon] == ':')
			at = skip_spaces(text, len, colon + 1);
	}
	if (at + 3 < len && text[at] == '(' && is_hex_digit(text[at + 1]) &&
	    is_hex_digit(text[at + 2]) && text[at + 3] == ')')
		at += 4;
	return at;
}

/* `#` belongs to "name#number" (a helper call); anywhere else it starts a
 * comment. */
static bool is_call_hash(const char *text, size_t len, size_t at)
{
	size_t next = at + 1;

	if (at == 0 || !is_ident_char(text[at - 1]))
		return false;
	if (next < len && text[next] == '-')
		next++;
	return next < len && is_digit(text[next]);
}

static int lex_number(struct asm_line *line, const char *text, size_t len,
		      size_t at, struct asm_token *token)
{
	bool hex = at + 1 < len && text[at] == '0' &&
		   (text[at + 1] == 'x' || text[at + 1] == 'X');
	size_t end = hex ? at + 2 : at;
	unsigned base = hex ? 16 : 10;
	uint64_t value = 0;
	bool overflow = false;

	while (end < len && (hex ? is_hex_digit(text[end]) : is_digit(text[end]))) {
		char c = text[end];
		unsigned digit = is_digit(c) ? (unsigned)(c - '0')
					     : (unsigned)((c | 0x20) - 'a' + 10);

		if (value > (UINT64_MAX - digit) / base)
			overflow = true;
		value = value * base + digit;
		end++;
	}
	while (end < len && is_ident_char(text[end]))
		end++;
	token->kind = ASM_TOKEN_NUMBER;
	token->text = text + at;
	token->len = end - at;
	token->value = value;
	if (hex && token->len == 2)
		return asm_error(line, "malformed number '%.*s'", (int)token->len, token->text);
	for (size_t i = hex ? 2 : 0; i < token->len; i++)
		if (hex ? !is_hex_digit(token->text[i]) : !is_digit(token->text[i]))
			return asm_error(line, "malformed number '%.*s'",
					 (int)token->len, token->text);
	if (overflow)
		return asm_error(line, "number '%.*s' does not fit in 64 bits",
				 (int)token->len, token->text);
	return 0;
}

static size_t lex_ident(const char *text, size_t len, size_t at,
			struct asm_token *token)
{
	size_t end = at;

	while (end < len && is_ident_char(text[end]))
		end++;
	token->kind = ASM_TOKEN_IDENT;
	token->text = text + at;
	token->len = end - at;
	return end;
}

/* The punctuation at `at`, or 0 if there is none. */
static size_t punct_length(const char *text, size_t len, size_t at)
{
	for (size_t i = 0; i < ASM_PUNCT_COUNT; i++) {
		size_t n = strlen(asm_puncts[i]);

		if (n <= len - at && memcmp(text + at, asm_puncts[i], n) == 0)
			return n;
	}
	if (text[at] == '#' && is_call_hash(text, len, at))
		return 1;
	return 0;
}

static bool starts_comment(const char *text, size_t len, size_t at)
{
	return text[at] == ';' || (text[at] == '#' && !is_call_hash(text, len, at));
}

static int lex_token(struct asm_line *line, const char *text, size_t len,
		     size_t *at)
{
	struct asm_token *token = &line->tokens[line->count];
	size_t start = *at;
	size_t n;

	if (line->count + 1 >= ASM_LINE_TOKENS_MAX)
		return asm_error(line, "too many tokens on one line");
	if (is_digit(text[start])) {
		int err = lex_number(line, text, len, start, token);

		*at = start + token->len;
		line->count++;
		return err;
	}
	/* "s>" and friends before names: a lone "s" is never an operand. */
	n = punct_length(text, len, start);
	if (n > 0) {
		token->kind = ASM_TOKEN_PUNCT;
		token->text = text + start;
		token->len = n;
		*at = start + n;
		line->count++;
		return 0;
	}
	if (is_ident_start(text[start])) {
		*at = lex_ident(text, len, start, token);
		line->count++;
		return 0;
	}
	return asm_error(line, "unexpected character '%c'", text[start]);
}

int asm_lex_line(const char *text, size_t len, unsigned number,
		 struct asm_line *line)
{
	size_t at = skip_bpftool_prefix(text, len);

	line->number = number;
	line->count = 0;
	line->pos = 0;
	for (;;) {
		int err;

		at = skip_spaces(text, len, at);
		if (at >= len || starts_comment(text, len, at))
			break;
		err = lex_token(line, text, len, &at);
		if (err)
			return err;
	}
	line->tokens[line->count] = (struct asm_token){ .kind = ASM_TOKEN_END,
							.text = text + at,
							.len = 0 };
	return 0;
}

/* ---- Token readers -------------------------------------------------- */

const struct asm_token *asm_peek(const struct asm_line *line, size_t ahead)
{
	size_t at = line->pos + ahead;

	return &line->tokens[at < line->count ? at : line->count];
}

bool asm_token_is(const struct asm_token *token, enum asm_token_kind kind,
		  const char *text)
{
	return token->kind == kind && strlen(text) == token->len &&
	       memcmp(token->text, text, token->len) == 0;
}

static bool accept(struct asm_line *line, enum asm_token_kind kind,
		   const char *text)
{
	if (!asm_token_is(asm_peek(line, 0), kind, text))
		return false;
	line->pos++;
	return true;
}

bool asm_accept_punct(struct asm_line *line, const char *text)
{
	return accept(line, ASM_TOKEN_PUNCT, text);
}

bool asm_accept_word(struct asm_line *line, const char *text)
{
	return accept(line, ASM_TOKEN_IDENT, text);
}

int asm_expect_punct(struct asm_line *line, const char *text)
{
	char context[32];

	if (asm_accept_punct(line, text))
		return 0;
	snprintf(context, sizeof(context), "expected '%s'", text);
	return asm_error_unexpected(line, context);
}

int asm_expect_word(struct asm_line *line, const char *text)
{
	char context[32];

	if (asm_accept_word(line, text))
		return 0;
	snprintf(context, sizeof(context), "expected '%s'", text);
	return asm_error_unexpected(line, context);
}

int asm_expect_end(struct asm_line *line)
{
	if (asm_peek(line, 0)->kind == ASM_TOKEN_END)
		return 0;
	return asm_error_unexpected(line, "expected end of instruction");
}

/* Register number of a name r<digits>/w<digits>, or -1; digits may name a
 * register that does not exist (r11), which the caller reports. */
static long register_number(const struct asm_token *token, bool *is64)
{
	long regno = 0;

	if (token->kind != ASM_TOKEN_IDENT || token->len < 2 || token->len > 4)
		return -1;
	if (token->text[0] != 'r' && token->text[0] != 'w')
		return -1;
	for (size_t i = 1; i < token->len; i++) {
		if (!is_digit(token->text[i]))
			return -1;
		regno = regno * 10 + (token->text[i] - '0');
	}
	*is64 = token->text[0] == 'r';
	return regno;
}

bool asm_token_is_register(const struct asm_token *token)
{
	bool is64;
	long regno = register_number(token, &is64);

	return regno >= 0 && regno <= 10;
}

bool asm_token_looks_like_register(const struct asm_token *token)
{
	bool is64;

	return register_number(token, &is64) >= 0;
}

int asm_parse_register(struct asm_line *line, struct asm_reg *reg)
{
	const struct asm_token *token = asm_peek(line, 0);
	bool is64 = true;
	long regno = register_number(token, &is64);

	if (regno < 0)
		return asm_error_unexpected(line, "expected a register");
	if (regno > 10)
		return asm_error(line, "unknown register '%.*s'", (int)token->len,
				 token->text);
	reg->regno = (uint8_t)regno;
	reg->is64 = is64;
	line->pos++;
	return 0;
}

int asm_parse_register64(struct asm_line *line, uint8_t *regno)
{
	const struct asm_token *token = asm_peek(line, 0);
	struct asm_reg reg = { 0 };
	int err = asm_parse_register(line, &reg);

	if (err)
		return err;
	if (!reg.is64)
		return asm_error(line, "'%.*s': this operand takes a 64-bit register r0..r10",
				 (int)token->len, token->text);
	*regno = reg.regno;
	return 0;
}

int asm_parse_number(struct asm_line *line, struct asm_number *number)
{
	const struct asm_token *token;

	number->negative = false;
	for (;;) {
		if (asm_accept_punct(line, "-"))
			number->negative = !number->negative;
		else if (!asm_accept_punct(line, "+"))
			break;
	}
	token = asm_peek(line, 0);
	if (token->kind != ASM_TOKEN_NUMBER)
		return asm_error_unexpected(line, "expected a number");
	number->magnitude = token->value;
	line->pos++;
	return 0;
}

static void describe_number(const struct asm_number *number, char *buf, size_t size)
{
	snprintf(buf, size, "%s%llu", number->negative ? "-" : "",
		 (unsigned long long)number->magnitude);
}

int asm_number_to_field(unsigned line_number,
			const struct asm_number *number, int64_t min,
			uint64_t max, const char *what, uint64_t *bits)
{
	/* -(min + 1) + 1 is |min| without overflowing for INT64_MIN. */
	uint64_t min_magnitude = min < 0 ? (uint64_t)(-(min + 1)) + 1 : 0;
	bool in_range = number->negative ? number->magnitude <= min_magnitude
					 : number->magnitude <= max;
	char text[32];

	if (!in_range) {
		describe_number(number, text, sizeof(text));
		return asm_error_at(line_number, "%s %s out of range [%lld, %llu]", what, text,
				    (long long)min, (unsigned long long)max);
	}
	*bits = number->negative ? 0 - number->magnitude : number->magnitude;
	return 0;
}
