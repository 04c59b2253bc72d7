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
		"Usage: bpfvm [-j|--json] [-d|--debug] [--engine interp|jit] OBJECT COMMAND\n"
		"             [ARGS]\n"
		"\n"
		"  -d, --debug  verify every program at log level 1|2|4 and print each\n"
		"               verifier log to stderr (as bpftool -d)\n"
		"  --engine E   run programs on the interpreter (interp) or compile them\n"
		"               to x86-64 code (jit); default: $BPFVM_ENGINE, else jit on\n"
		"               x86-64 (checked runs always interpret)\n"
		"\n"
		"  bpfvm prog run OBJ [name PROG] [data_in FILE] [data_out FILE]\n"
		"                 [data_size_out N] [ctx_in FILE] [ctx_out FILE]\n"
		"                 [ctx_size_out N] [repeat N] [checked]\n"
		"        load PROG of object file OBJ (and the programs its prog arrays\n"
		"        hold) and test-run it as bpftool prog run does; data_out/ctx_out\n"
		"        - prints a hex dump; bpf_printk lines go to stderr; a refused\n"
		"        program's verifier log goes to stderr; checked: bounds-check\n"
		"        every memory access, trap on any other\n"
		"  bpfvm prog load OBJ [name PROG] [log_level N]\n"
		"        verify the programs of OBJ (or only PROG and those it needs), as\n"
		"        bpftool prog load without pinning (not supported yet); a refusal\n"
		"        prints the verifier log between -- BEGIN PROG LOAD LOG -- and\n"
		"        -- END PROG LOAD LOG --; log_level N (1 the failing path, 2 every\n"
		"        path, +4 stats) prints each program's log to stdout\n"
		"  bpfvm prog show OBJ [name PROG]\n"
		"  bpfvm prog dump xlated|jited OBJ [name PROG]   (jited: the JIT's machine code)\n"
		"  bpfvm map show OBJ [name MAP]\n"
		"  bpfvm map dump OBJ name MAP\n"
		"  bpfvm map lookup OBJ name MAP key [hex] BYTES\n"
		"  bpfvm map update OBJ name MAP key BYTES value {BYTES | id N | name NAME}\n"
		"                   [any | noexist | exist]\n"
		"  bpfvm map delete OBJ name MAP key BYTES\n"
		"        the maps of OBJ right after loading (.data, .rodata, .bss are\n"
		"        named by section: name .bss); a prog array's value is a program\n"
		"        (id N, or name PROG of OBJ), a map of maps' a map\n"
		"  bpfvm run OBJ name PROG [data_in FILE] [ctx_in FILE] [interval MS]\n"
		"            [count N] [cpu N]\n"
		"        keep test-running PROG (every MS ms, default 1000; count times, or\n"
		"        until quit), printing bpf_printk lines, perf events and ring buffer\n"
		"        records as they come, while commands read from standard input\n"
		"        change the maps: map {show|dump|lookup|update|delete} ... (without\n"
		"        OBJ), wait N (runs), sleep MS, quit\n"
		"  bpfvm asm run FILE [data_in DATA] [repeat N]\n"
		"        assemble FILE (kernel verifier syntax) and run it in raw mode:\n"
		"        r1 = the bytes of DATA (writable copy), r2 = their length;\n"
		"        it may call the helpers that any program type may call\n"
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

/* --engine NAME; false for an unknown name. */
static bool parse_engine(const char *name)
{
	if (strcmp(name, "interp") == 0)
		cli_engine = BPFVM_ENGINE_INTERP;
	else if (strcmp(name, "jit") == 0)
		cli_engine = BPFVM_ENGINE_JIT;
	else
		return false;
	return true;
}

/* Global options come before OBJECT, as in bpftool. */
static int parse_options(int argc, char **argv)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "-j") == 0 || strcmp(argv[i], "--json") == 0 ||
		    strcmp(argv[i], "-p") == 0 || strcmp(argv[i], "--pretty") == 0)
			cli_json = true;
		else if (strcmp(argv[i], "-d") == 0 || strcmp(argv[i], "--debug") == 0)
			cli_debug = true;
		else if (strcmp(argv[i], "--engine") == 0) {
			if (i + 1 == argc || !parse_engine(argv[++i]))
				return -i;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			break;
		else
			return -i;
	}
	return i;
}

int main(int argc, char **argv)
{
	int first = parse_options(argc, argv);

	if (first < 0) {
		fprintf(stderr, "bpfvm: unknown option '%s'\n\n", argv[-first]);
		usage(stderr);
		return 2;
	}
	argc -= first - 1;
	argv += first - 1;
	if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "asm") == 0)
		return cli_asm(argc - 2, argv + 2);
	if (strcmp(argv[1], "prog") == 0)
		return cli_prog(argc - 2, argv + 2);
	if (strcmp(argv[1], "map") == 0)
		return cli_map(argc - 2, argv + 2);
	if (strcmp(argv[1], "run") == 0)
		return cli_run(argc - 2, argv + 2);
	fprintf(stderr, "bpfvm: unknown object '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
