/* The suite's test files (data_file.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data_file.h"

enum section { SECTION_NONE, SECTION_ASM, SECTION_RAW, SECTION_MEM, SECTION_RESULT,
	       SECTION_ERROR, SECTION_IGNORED };

struct parse_state {
	struct conf_test *test;
	enum section section;
	size_t asm_len;
	char *err;
	size_t err_size;
	unsigned line;
};

static int parse_error(struct parse_state *ps, const char *what, const char *text)
{
	snprintf(ps->err, ps->err_size, "line %u: %s '%s'", ps->line, what, text);
	return -1;
}

/* The keyword of a directive line, found as the suite finds it: by substring,
 * in this order. */
static enum section directive_section(const char *line)
{
	if (strstr(line, "asm"))
		return SECTION_ASM;
	if (strstr(line, "result"))
		return SECTION_RESULT;
	if (strstr(line, "mem"))
		return SECTION_MEM;
	if (strstr(line, "raw"))
		return SECTION_RAW;
	if (strstr(line, "no register offset") || strstr(line, " c"))
		return SECTION_IGNORED;
	if (strstr(line, "error"))
		return SECTION_ERROR;
	return SECTION_NONE;
}

static int append_asm(struct parse_state *ps, const char *line)
{
	size_t len = strlen(line);
	char *text = realloc(ps->test->asm_text, ps->asm_len + len + 2);

	if (!text)
		return parse_error(ps, "out of memory at", line);
	memcpy(text + ps->asm_len, line, len);
	ps->asm_len += len;
	text[ps->asm_len++] = '\n';
	text[ps->asm_len] = '\0';
	ps->test->asm_text = text;
	return 0;
}

static int parse_u64(const char *word, uint64_t *value)
{
	char *end;

	errno = 0;
	*value = strtoull(word, &end, strstr(word, "0x") ? 16 : 10);
	return errno || end == word || *end ? -1 : 0;
}

static int append_raw_word(struct parse_state *ps, const char *word)
{
	struct conf_test *test = ps->test;
	uint64_t value, *raw;

	if (parse_u64(word, &value))
		return parse_error(ps, "invalid raw word", word);
	raw = realloc(test->raw, (test->raw_cnt + 1) * sizeof(*raw));
	if (!raw)
		return parse_error(ps, "out of memory at", word);
	test->raw = raw;
	raw[test->raw_cnt++] = value;
	return 0;
}

static int append_mem_byte(struct parse_state *ps, const char *word)
{
	struct conf_test *test = ps->test;
	unsigned long value;
	uint8_t *mem;
	char *end;

	value = strtoul(word, &end, 16);
	if (*end || strlen(word) > 2)
		return parse_error(ps, "invalid memory byte", word);
	mem = realloc(test->mem, test->mem_len + 1);
	if (!mem)
		return parse_error(ps, "out of memory at", word);
	test->mem = mem;
	mem[test->mem_len++] = (uint8_t)value;
	return 0;
}

/* Whitespace-separated words of a mem (hex bytes) or raw (words) line. */
static int append_words(struct parse_state *ps, char *line)
{
	for (char *word = strtok(line, " \t"); word; word = strtok(NULL, " \t")) {
		int err = ps->section == SECTION_RAW ? append_raw_word(ps, word) :
						       append_mem_byte(ps, word);

		if (err)
			return err;
	}
	return 0;
}

static char *trim(char *text)
{
	size_t len = strlen(text);

	while (len && isspace((unsigned char)text[len - 1]))
		text[--len] = '\0';
	while (isspace((unsigned char)*text))
		text++;
	return text;
}

static int parse_content(struct parse_state *ps, char *line)
{
	struct conf_test *test = ps->test;
	char *text = trim(line);

	if (ps->section == SECTION_ASM)
		return append_asm(ps, line);
	if (!*text || *text == '#')
		return 0;
	switch (ps->section) {
	case SECTION_RAW:
	case SECTION_MEM:
		return append_words(ps, text);
	case SECTION_RESULT: /* the last line counts */
		test->has_result = true;
		return parse_u64(text, &test->result) ? parse_error(ps, "invalid result", text) : 0;
	case SECTION_ERROR:
		snprintf(test->error, sizeof(test->error), "%s", text);
		return 0;
	default:
		return 0;
	}
}

static int parse_line(struct parse_state *ps, char *line)
{
	size_t len = strlen(line);

	if (len && line[len - 1] == '\r')
		line[len - 1] = '\0';
	if (!strstr(line, "--"))
		return ps->section == SECTION_NONE ? 0 : parse_content(ps, line);
	ps->section = directive_section(line);
	if (ps->section == SECTION_NONE && !ps->test->skip[0])
		snprintf(ps->test->skip, sizeof(ps->test->skip), "unknown directive '%s'",
			 trim(line));
	if (ps->section == SECTION_ERROR)
		ps->test->has_error = true;
	return 0;
}

int conf_test_parse(const char *path, struct conf_test *test, char *err, size_t err_size)
{
	struct parse_state ps = { .test = test, .err = err, .err_size = err_size };
	char *line = NULL;
	size_t cap = 0;
	FILE *file;
	int ret = 0;

	memset(test, 0, sizeof(*test));
	file = fopen(path, "r");
	if (!file) {
		snprintf(err, err_size, "cannot open: %s", strerror(errno));
		return -1;
	}
	while (!ret && getline(&line, &cap, file) >= 0) {
		ps.line++;
		line[strcspn(line, "\n")] = '\0';
		ret = parse_line(&ps, line);
	}
	free(line);
	fclose(file);
	if (ret)
		conf_test_free(test);
	return ret;
}

void conf_test_free(struct conf_test *test)
{
	free(test->asm_text);
	free(test->raw);
	free(test->mem);
	test->asm_text = NULL;
	test->raw = NULL;
	test->mem = NULL;
}
