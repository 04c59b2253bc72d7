/* libFuzzer harness for bpftool's key/value syntax (tools/bpfvm/kv.c).
 *
 * Input: the first byte is the number of bytes to parse (0..31), the rest is
 * the words, separated by spaces. The parser must never read past the
 * words it is given, and must agree with a plain restatement of bpftool's
 * rule: after an optional prefix of "hex", `size` words each read whole by
 * strtoul (base 16 after "hex", else C's), their low bytes kept; fewer words
 * or one that does not read whole is refused. */
#include <stdio.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"

#define MAX_WORDS 64

int cli_error(const char *fmt, ...)
{
	(void)fmt;
	return -1;
}

/* Splits `text` in place; returns the number of words. */
static int split(char *text, char **words)
{
	int count = 0;

	for (char *word = strtok(text, " "); word && count < MAX_WORDS; word = strtok(NULL, " "))
		words[count++] = word;
	return count;
}

/* The rule, restated: 0 and the expected bytes, or -1. */
static int expected(char **words, int count, uint32_t size, uint8_t *out, int *used)
{
	int base = 0, first = 0;

	if (count > 0 && cli_is_prefix(words[0], "hex")) {
		base = 16;
		first = 1;
	}
	for (uint32_t i = 0; i < size; i++) {
		char *end;

		if (first + (int)i >= count)
			return -1;
		out[i] = (uint8_t)strtoul(words[first + i], &end, base);
		if (*end)
			return -1;
	}
	*used = first + (int)size;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *text, *words[MAX_WORDS], **argv;
	uint8_t got[32], want[32];
	int count, argc, used = 0, err, want_err;
	uint32_t size;

	if (len < 1)
		return 0;
	size = data[0] % 32;
	text = malloc(len);
	if (!text)
		return 0;
	memcpy(text, data + 1, len - 1);
	text[len - 1] = '\0';
	count = split(text, words);
	argc = count;
	argv = words;
	err = cli_parse_bytes(&argc, &argv, got, size, "key");
	want_err = expected(words, count, size, want, &used);
	if (err != want_err)
		abort();
	if (!err && (memcmp(got, want, size) != 0 || count - argc != used || argv != words + used))
		abort();
	free(text);
	return 0;
}
