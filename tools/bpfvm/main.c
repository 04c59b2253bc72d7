/* bpfvm: the command-line tool. Its grammar follows bpftool's
 * (`bpfvm OBJECT COMMAND ARGS`); each object's commands live in their own
 * file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "cli.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: bpfvm OBJECT COMMAND [ARGS]\n"
		"\n"
		"  bpfvm asm run FILE [data_in DATA] [repeat N]\n"
		"        assemble FILE (kernel verifier syntax) and run it in raw mode:\n"
		"        r1 = the bytes of DATA (writable copy), r2 = their length;\n"
		"        no helpers are registered in raw mode, so `call N` is refused\n"
		"  bpfvm asm build FILE OUT\n"
		"        assemble FILE into raw bytecode (8 bytes per instruction)\n"
		"  bpfvm asm dump FILE\n"
		"        disassemble raw bytecode, or reformat an assembler FILE (*.s)\n"
		"  bpfvm help\n"
		"\n"
		"FILE may be - for standard input.\n");
}

char *cli_read_file(const char *path, size_t *len_out)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t len = 0, cap = 4096, got;
	char *data;

	if (!in) {
		fprintf(stderr, "bpfvm: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	data = malloc(cap);
	while (data && (got = fread(data + len, 1, cap - len - 1, in)) > 0) {
		len += got;
		if (len + 1 == cap) {
			char *bigger = realloc(data, cap * 2);

			if (!bigger) {
				free(data);
				data = NULL;
				break;
			}
			data = bigger;
			cap *= 2;
		}
	}
	if (in != stdin)
		fclose(in);
	if (!data) {
		fprintf(stderr, "bpfvm: %s: out of memory\n", path);
		return NULL;
	}
	data[len] = '\0';
	if (len_out)
		*len_out = len;
	return data;
}

int cli_fail(const char *what)
{
	fprintf(stderr, "bpfvm: %s: %s\n", what, bpfvm_errmsg());
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "asm") == 0)
		return cli_asm(argc - 2, argv + 2);
	fprintf(stderr, "bpfvm: unknown object '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
