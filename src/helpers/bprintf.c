/* The kernel's printf for BPF programs (see bprintf.h for the rules).
 *
 * Two passes, as the kernel's: bprintf_prepare() checks the whole format and
 * copies what the arguments point to into the 512 bytes of argument space
 * (so that an error, -EINVAL or -ENOSPC, comes before any output), then
 * bprintf_print() writes the text. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "helpers/bprintf.h"
#include "helpers/nofault.h"

#define BPRINTF_ARG_SPACE 512		  /* MAX_BPRINTF_BIN_ARGS */
#define BPRINTF_WIDTH_MAX ((1 << 23) - 1) /* lib/vsprintf.c: FIELD_WIDTH_MAX */

enum bprintf_flag {
	BPRINTF_LEFT = 1u << 0,
	BPRINTF_PLUS = 1u << 1,
	BPRINTF_SPACE = 1u << 2,
	BPRINTF_ZEROPAD = 1u << 3,
};

enum bprintf_kind {
	BPRINTF_INT,	 /* %d %i %u %x %X, 4 or 8 bytes */
	BPRINTF_CHAR,
	BPRINTF_TEXT,	 /* %s %pks %pus, and pre-formatted %pI4.. %pB */
	BPRINTF_POINTER, /* %p %pK %px */
};

/* One '%' of the format: where it is and what it prints. */
struct bprintf_spec {
	uint32_t start, end; /* fmt[start] == '%', fmt[end] is the next literal */
	enum bprintf_kind kind;
	unsigned flags;
	int width;	     /* -1: none */
	char conversion;     /* d i u x X for BPRINTF_INT */
	uint8_t size;	     /* 4 or 8 for BPRINTF_INT */
	uint64_t value;
	const char *text;    /* BPRINTF_TEXT: inside the argument space */
};

struct bprintf_state {
	const char *fmt;
	uint32_t fmt_len;
	const uint64_t *args;
	uint32_t num_args;
	struct bprintf_spec specs[BPRINTF_MAX_ARGS];
	uint32_t num_specs;	    /* conversions that take an argument */
	bool use_space;		    /* the kernel copies arguments only if num_args */
	uint32_t space_used;
	char space[BPRINTF_ARG_SPACE];
};

/* ---- pass 1: the kernel's bpf_bprintf_prepare ---------------------------- */

static uint32_t bprintf_space_left(const struct bprintf_state *st)
{
	return BPRINTF_ARG_SPACE - st->space_used;
}

/* A number or pointer takes 4 or 8 bytes, 4-aligned. */
static int bprintf_take_number(struct bprintf_state *st, uint32_t size)
{
	if (!st->use_space)
		return 0;
	st->space_used = (st->space_used + 3u) & ~3u;
	if (st->space_used > BPRINTF_ARG_SPACE || bprintf_space_left(st) < size)
		return -ENOSPC;
	st->space_used += size;
	return 0;
}

static int bprintf_take_string(struct bprintf_state *st, struct bprintf_spec *spec)
{
	char *dst = st->space + st->space_used;
	long copied;

	if (!st->use_space)
		return 0;
	if (!bprintf_space_left(st))
		return -ENOSPC;
	copied = helper_read_str_nofault(dst, spec->value, bprintf_space_left(st));
	if (copied < 0) {
		dst[0] = '\0';
		copied = 1;
	}
	spec->text = dst;
	st->space_used += (uint32_t)copied;
	return 0;
}

/* Formats text (a symbol or an address) into the argument space, as the
 * kernel pre-formats %pB and %pI4..6 with snprintf. */
static int bprintf_take_text(struct bprintf_state *st, struct bprintf_spec *spec,
			     const char *text)
{
	uint32_t left = bprintf_space_left(st);
	size_t len = strlen(text);

	if (!st->use_space)
		return 0;
	if (!left)
		return -ENOSPC;
	spec->text = st->space + st->space_used;
	snprintf(st->space + st->space_used, left, "%s", text);
	st->space_used += len + 1 < left ? (uint32_t)len + 1 : left;
	return 0;
}

static void bprintf_format_ip(char *text, size_t size, const uint8_t *ip, char style,
			      char version)
{
	size_t len = 0;

	if (version == '4') {
		snprintf(text, size, style == 'I' ? "%u.%u.%u.%u" : "%03u.%03u.%03u.%03u", ip[0],
			 ip[1], ip[2], ip[3]);
		return;
	}
	for (int i = 0; i < 16; i += 2)
		len += (size_t)snprintf(text + len, size - len, "%s%02x%02x",
					(i && style == 'I') ? ":" : "", ip[i], ip[i + 1]);
}

/* %pI4 %pi4 %pI6 %pi6: the kernel copies 4 or 16 bytes (zeros when the
 * pointer is bad) and pre-formats them. */
static int bprintf_take_ip(struct bprintf_state *st, struct bprintf_spec *spec, char style,
			   char version)
{
	uint8_t ip[16] = { 0 };
	size_t ip_size = version == '4' ? 4 : 16;
	char text[48];

	if (!st->use_space)
		return 0;
	if (bprintf_space_left(st) < ip_size)
		return -ENOSPC;
	if (!helper_read_nofault(ip, spec->value, ip_size))
		memset(ip, 0, sizeof(ip));
	bprintf_format_ip(text, sizeof(text), ip, style, version);
	return bprintf_take_text(st, spec, text);
}

static bool bprintf_ends_string(char c)
{
	return c == '\0' || isspace((unsigned char)c) || ispunct((unsigned char)c);
}

/* The part after "%[flags][width]p". *i is at the 'p'. */
static int bprintf_prepare_pointer(struct bprintf_state *st, struct bprintf_spec *spec,
				   uint32_t *i)
{
	const char *fmt = st->fmt;
	char next = fmt[*i + 1];
	char text[32];

	if ((next == 'k' || next == 'u') && fmt[*i + 2] == 's') {
		*i += 2;
		if (!bprintf_ends_string(fmt[*i + 1]))
			return -EINVAL;
		spec->kind = BPRINTF_TEXT;
		return bprintf_take_string(st, spec);
	}
	if (next == '\0' || isspace((unsigned char)next) || ispunct((unsigned char)next) ||
	    next == 'K' || next == 'x' || next == 's' || next == 'S') {
		spec->kind = next == 's' || next == 'S' ? BPRINTF_TEXT : BPRINTF_POINTER;
		/* The kernel's checker skips the character after 'p'
		 * unchecked; vsprintf takes a letter as part of the
		 * conversion and prints punctuation as literal text. */
		*i += 1;
		if (!isalpha((unsigned char)next))
			spec->end = *i;
		if (spec->kind == BPRINTF_POINTER)
			return bprintf_take_number(st, 8);
		snprintf(text, sizeof(text), "0x%llx", (unsigned long long)spec->value);
		return bprintf_take_text(st, spec, text);
	}
	if (next == 'B') {
		*i += 1;
		spec->kind = BPRINTF_TEXT;
		snprintf(text, sizeof(text), "0x%llx", (unsigned long long)spec->value);
		return bprintf_take_text(st, spec, text);
	}
	if ((next != 'i' && next != 'I') || (fmt[*i + 2] != '4' && fmt[*i + 2] != '6'))
		return -EINVAL;
	*i += 2;
	spec->kind = BPRINTF_TEXT;
	return bprintf_take_ip(st, spec, next, fmt[*i]);
}

/* The conversion at fmt[*i] (after flags and width). */
static int bprintf_prepare_conversion(struct bprintf_state *st, struct bprintf_spec *spec,
				      uint32_t *i)
{
	const char *fmt = st->fmt;

	if (fmt[*i] == 'p')
		return bprintf_prepare_pointer(st, spec, i);
	if (fmt[*i] == 's') {
		if (!bprintf_ends_string(fmt[*i + 1]))
			return -EINVAL;
		spec->kind = BPRINTF_TEXT;
		return bprintf_take_string(st, spec);
	}
	if (fmt[*i] == 'c') {
		spec->kind = BPRINTF_CHAR;
		if (st->use_space && !bprintf_space_left(st))
			return -ENOSPC;
		st->space_used += st->use_space;
		return 0;
	}
	spec->kind = BPRINTF_INT;
	spec->size = 4;
	if (fmt[*i] == 'l') {
		spec->size = 8;
		*i += 1;
	}
	if (fmt[*i] == 'l')
		*i += 1;
	if (!strchr("iduxX", fmt[*i]) || fmt[*i] == '\0')
		return -EINVAL;
	spec->conversion = fmt[*i];
	return bprintf_take_number(st, spec->size);
}

/* Flags "0+- " and a width, as the kernel's checker skips them and
 * vsprintf's format_decode reads them. */
static void bprintf_parse_flags_width(const char *fmt, uint32_t *i, struct bprintf_spec *spec)
{
	static const char flag_chars[] = "-+ 0";
	const char *flag;

	spec->flags = 0;
	spec->width = -1;
	while (fmt[*i] && (flag = strchr(flag_chars, fmt[*i]))) {
		spec->flags |= 1u << (flag - flag_chars);
		*i += 1;
	}
	if (fmt[*i] >= '1' && fmt[*i] <= '9') {
		long width = 0;

		while (fmt[*i] >= '0' && fmt[*i] <= '9') {
			if (width < BPRINTF_WIDTH_MAX)
				width = width * 10 + (fmt[*i] - '0');
			*i += 1;
		}
		spec->width = width > BPRINTF_WIDTH_MAX ? BPRINTF_WIDTH_MAX : (int)width;
	}
}

static int bprintf_prepare(struct bprintf_state *st)
{
	const char *fmt = st->fmt;

	for (uint32_t i = 0; i < st->fmt_len; i++) {
		unsigned char c = (unsigned char)fmt[i];
		struct bprintf_spec *spec;
		int err;

		if ((!isprint(c) && !isspace(c)) || !isascii(c))
			return -EINVAL;
		if (c != '%')
			continue;
		if (fmt[i + 1] == '%') {
			i++;
			continue;
		}
		if (st->num_specs >= st->num_args)
			return -EINVAL;
		spec = &st->specs[st->num_specs];
		spec->start = i++;
		spec->end = 0;
		spec->text = NULL;
		spec->value = st->args[st->num_specs];
		bprintf_parse_flags_width(fmt, &i, spec);
		err = bprintf_prepare_conversion(st, spec, &i);
		if (err)
			return err;
		if (!spec->end)
			spec->end = i + 1;
		st->num_specs++;
	}
	return 0;
}

/* ---- pass 2: printing (lib/vsprintf.c) ---------------------------------- */

struct bprintf_out {
	char *buf;
	size_t size;
	size_t len; /* of the whole output, also past size */
};

static void out_char(struct bprintf_out *out, char c)
{
	if (out->len + 1 < out->size)
		out->buf[out->len] = c;
	out->len++;
}

static void out_repeat(struct bprintf_out *out, char c, long count)
{
	for (long n = 0; n < count; n++)
		out_char(out, c);
}

/* A text padded with spaces to the width (zero-padding does not apply). */
static void out_text(struct bprintf_out *out, const char *text, const struct bprintf_spec *spec)
{
	long len = (long)strlen(text);

	if (!(spec->flags & BPRINTF_LEFT))
		out_repeat(out, ' ', spec->width - len);
	for (const char *p = text; *p; p++)
		out_char(out, *p);
	if (spec->flags & BPRINTF_LEFT)
		out_repeat(out, ' ', spec->width - len);
}

/* lib/vsprintf.c number(): sign, zero or space padding, digits. */
static void out_number(struct bprintf_out *out, uint64_t value, bool is_signed, unsigned base,
		       bool upper, unsigned flags, int width)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24], sign = 0;
	int len = 0;

	if (is_signed && (int64_t)value < 0) {
		sign = '-';
		value = -value;
	} else if (is_signed && (flags & BPRINTF_PLUS)) {
		sign = '+';
	} else if (is_signed && (flags & BPRINTF_SPACE)) {
		sign = ' ';
	}
	do {
		buf[len++] = digits[value % base];
		value /= base;
	} while (value);
	width -= len + (sign != 0);
	if (!(flags & (BPRINTF_LEFT | BPRINTF_ZEROPAD)))
		out_repeat(out, ' ', width);
	if (sign)
		out_char(out, sign);
	if ((flags & BPRINTF_ZEROPAD) && !(flags & BPRINTF_LEFT))
		out_repeat(out, '0', width);
	while (len)
		out_char(out, buf[--len]);
	if (flags & BPRINTF_LEFT)
		out_repeat(out, ' ', width);
}

static void out_int(struct bprintf_out *out, const struct bprintf_spec *spec)
{
	bool is_signed = spec->conversion == 'd' || spec->conversion == 'i';
	bool hex = spec->conversion == 'x' || spec->conversion == 'X';
	uint64_t value = spec->value;

	if (spec->size == 4)
		value = is_signed ? (uint64_t)(int64_t)(int32_t)value : (uint32_t)value;
	out_number(out, value, is_signed, hex ? 16 : 10, spec->conversion == 'X', spec->flags,
		   spec->width);
}

static void out_spec(struct bprintf_out *out, const struct bprintf_spec *spec)
{
	char c[2] = { (char)spec->value, '\0' };

	switch (spec->kind) {
	case BPRINTF_INT:
		out_int(out, spec);
		break;
	case BPRINTF_CHAR:
		/* A NUL character still takes its place. */
		if (!(spec->flags & BPRINTF_LEFT))
			out_repeat(out, ' ', spec->width - 1);
		out_char(out, c[0]);
		if (spec->flags & BPRINTF_LEFT)
			out_repeat(out, ' ', spec->width - 1);
		break;
	case BPRINTF_TEXT:
		out_text(out, spec->text ? spec->text : "", spec);
		break;
	case BPRINTF_POINTER:
		if (spec->width == -1)
			out_number(out, spec->value, false, 16, false, BPRINTF_ZEROPAD, 16);
		else
			out_number(out, spec->value, false, 16, false, spec->flags, spec->width);
		break;
	}
}

/* Literal text between conversions; "%%" prints one '%'. */
static void out_literal(struct bprintf_out *out, const char *fmt, uint32_t from, uint32_t to)
{
	for (uint32_t i = from; i < to; i++) {
		out_char(out, fmt[i]);
		if (fmt[i] == '%' && fmt[i + 1] == '%' && i + 1 < to)
			i++;
	}
}

static void bprintf_print(const struct bprintf_state *st, struct bprintf_out *out)
{
	uint32_t pos = 0;

	for (uint32_t s = 0; s < st->num_specs; s++) {
		out_literal(out, st->fmt, pos, st->specs[s].start);
		out_spec(out, &st->specs[s]);
		pos = st->specs[s].end;
	}
	out_literal(out, st->fmt, pos, st->fmt_len);
	if (out->size)
		out->buf[out->len < out->size ? out->len : out->size - 1] = '\0';
}

long bprintf_format(char *buf, size_t size, const char *fmt, size_t fmt_size,
		    const uint64_t *args, uint32_t num_args)
{
	static _Thread_local struct bprintf_state st;
	const char *nul = fmt ? memchr(fmt, '\0', fmt_size) : NULL;
	struct bprintf_out out = { buf, size, 0 };
	int err;

	if (!nul || num_args > BPRINTF_MAX_ARGS)
		return -EINVAL;
	st.fmt = fmt;
	st.fmt_len = (uint32_t)(nul - fmt);
	st.args = args;
	st.num_args = num_args;
	st.num_specs = 0;
	st.use_space = num_args != 0;
	st.space_used = 0;
	err = bprintf_prepare(&st);
	if (err)
		return err;
	bprintf_print(&st, &out);
	return (long)out.len;
}
