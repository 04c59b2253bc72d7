/* Keys and values in bpftool's syntax. */
#include <stdlib.h>
#include <string.h>

#include "kv.h"

bool cli_is_prefix(const char *word, const char *keyword)
{
	size_t len = strlen(word);

	return len <= strlen(keyword) && memcmp(word, keyword, len) == 0;
}

int cli_parse_bytes(int *argc, char ***argv, void *out, uint32_t size, const char *name)
{
	uint8_t *bytes = out;
	int base = 0;
	uint32_t i = 0;

	if (*argc > 0 && cli_is_prefix((*argv)[0], "hex")) {
		base = 16;
		(*argc)--;
		(*argv)++;
	}
	for (; i < size && *argc > 0; i++) {
		char *end;

		bytes[i] = (uint8_t)strtoul((*argv)[0], &end, base);
		if (*end)
			return cli_error("error parsing byte: %s", (*argv)[0]);
		(*argc)--;
		(*argv)++;
	}
	if (i != size)
		return cli_error("%s expected %u bytes got %u", name, size, i);
	return 0;
}
