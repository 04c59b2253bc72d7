/* bpftool's json_writer: a separator is written before every value but the
 * first of its container; in pretty mode every object member and every
 * closing bracket of a non-empty container starts a new, indented line. */
#include <stdarg.h>
#include <stdio.h>

#include "json.h"

static struct {
	bool pretty;
	unsigned depth;
	char separator; /* before the next value: ',' or none */
} writer;

static void new_line(void)
{
	if (!writer.pretty)
		return;
	putchar('\n');
	for (unsigned i = 0; i < writer.depth; i++)
		fputs("    ", stdout);
}

/* Before a value: the separator from the previous one. */
static void before_value(void)
{
	if (writer.separator)
		putchar(writer.separator);
	writer.separator = ',';
}

static void open_container(int bracket)
{
	before_value();
	putchar(bracket);
	writer.depth++;
	writer.separator = '\0';
}

static void close_container(int bracket)
{
	writer.depth--;
	if (writer.separator)
		new_line();
	putchar(bracket);
	writer.separator = ',';
}

void json_begin(bool pretty)
{
	writer.pretty = pretty;
	writer.depth = 0;
	writer.separator = '\0';
}

void json_end(void)
{
	putchar('\n');
	fflush(stdout);
}

void json_start_object(void)
{
	open_container('{');
}

void json_end_object(void)
{
	close_container('}');
}

void json_start_array(void)
{
	open_container('[');
}

void json_end_array(void)
{
	close_container(']');
}

static void put_escaped(const char *text)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		default:
			if (*p < 0x20)
				printf("\\u%04x", *p);
			else
				putchar(*p);
		}
	}
	putchar('"');
}

void json_name(const char *name)
{
	before_value();
	new_line();
	writer.separator = '\0';
	put_escaped(name);
	putchar(':');
	if (writer.pretty)
		putchar(' ');
}

void json_string(const char *text)
{
	before_value();
	put_escaped(text);
}

void json_uint(uint64_t value)
{
	json_printf("%llu", (unsigned long long)value);
}

void json_int(int64_t value)
{
	json_printf("%lld", (long long)value);
}

void json_bool(bool value)
{
	json_printf("%s", value ? "true" : "false");
}

void json_null(void)
{
	json_printf("null");
}

void json_printf(const char *fmt, ...)
{
	va_list args;

	before_value();
	va_start(args, fmt);
	vprintf(fmt, args);
	va_end(args);
}

void json_hex_bytes(const void *data, uint32_t len)
{
	const uint8_t *bytes = data;

	json_start_array();
	for (uint32_t i = 0; i < len; i++)
		json_printf("\"0x%02hhx\"", bytes[i]);
	json_end_array();
}

void json_uint_field(const char *name, uint64_t value)
{
	json_name(name);
	json_uint(value);
}

void json_string_field(const char *name, const char *text)
{
	json_name(name);
	json_string(text);
}

void json_bool_field(const char *name, bool value)
{
	json_name(name);
	json_bool(value);
}

void json_null_document(bool pretty)
{
	json_begin(pretty);
	json_null();
	json_end();
}
