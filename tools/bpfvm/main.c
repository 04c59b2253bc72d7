/* bpfvm: the command-line tool. Its grammar follows bpftool's
 * (`bpfvm OBJECT COMMAND ARGS`); each object's commands live in their own
 * file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "cli.h"

/* bpftool's top-level usage. Each object's commands have their own help
 * (`bpfvm prog help`, ...); docs/cli.md describes them at length. */
static int usage(void)
{
	if (cli_json) {
		json_null_document(cli_pretty);
		return 0;
	}
	fprintf(stderr,
		"Usage: bpfvm [OPTIONS] OBJECT { COMMAND | help }\n"
		"       bpfvm version\n"
		"\n"
		"       OBJECT := { prog | map | btf | run | asm }\n"
		"       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} |\n"
		"                    {-f|--bpffs} | --engine { interp | jit } |\n"
		"                    --root DIR }\n"
		"\n"
		"Every bpfvm process works in a namespace (--root DIR, else BPFVM_ROOT,\n"
		"else /run/bpfvm): maps pinned or known by id there outlive the command,\n"
		"as on bpffs. An object file is loaded into a runtime of the command's\n"
		"own: PROG and MAP by name take 'of OBJ' (see 'bpfvm prog help').\n"
		"FILE may be - for standard input.\n");
	return 0;
}

char *cli_read_file(const char *path, size_t *len_out)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t len = 0, cap = 4096, got;
	char *data;

	if (!in) {
		cli_error("%s: %s", path, strerror(errno));
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
		cli_error("%s: out of memory", path);
		return NULL;
	}
	data[len] = '\0';
	if (len_out)
		*len_out = len;
	return data;
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

static bool is_option(const char *arg, const char *short_name, const char *long_name)
{
	return strcmp(arg, short_name) == 0 || strcmp(arg, long_name) == 0;
}

/* Global options come before OBJECT, as in bpftool; returns the index of
 * OBJECT, or minus the index of a bad option. */
static int parse_options(int argc, char **argv)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (is_option(argv[i], "-j", "--json")) {
			cli_json = true;
		} else if (is_option(argv[i], "-p", "--pretty")) {
			cli_json = true;
			cli_pretty = true;
		} else if (is_option(argv[i], "-d", "--debug")) {
			cli_debug = true;
		} else if (strcmp(argv[i], "--engine") == 0) {
			if (i + 1 == argc || !parse_engine(argv[++i]))
				return -i;
		} else if (strcmp(argv[i], "--root") == 0) {
			if (i + 1 == argc)
				return -i;
			cli_root = argv[++i];
		} else if (is_option(argv[i], "-f", "--bpffs")) {
			cli_show_pinned = true;
		} else if (is_option(argv[i], "-h", "--help")) {
			break;
		} else {
			return -i;
		}
	}
	return i;
}

static int print_version(void)
{
	if (cli_json) {
		json_begin(cli_pretty);
		json_start_object();
		json_string_field("version", "bpfvm");
		json_end_object();
		json_end();
	} else {
		printf("bpfvm (bpftool's grammar, v7.1)\n");
	}
	return 0;
}

struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
};

static const struct cli_command commands[] = {
	{ "prog", cli_prog }, { "map", cli_map }, { "btf", cli_btf },
	{ "run", cli_run },   { "asm", cli_asm },
};

/* As bpftool's cmd_select: a command is chosen by any prefix of its name. */
static int run_command(int argc, char **argv)
{
	if (argc < 1 || is_option(argv[0], "-h", "--help") || cli_is_prefix(argv[0], "help"))
		return usage();
	if (cli_is_prefix(argv[0], "version"))
		return print_version();
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (cli_is_prefix(argv[0], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	cli_error("unknown object '%s'", argv[0]);
	usage();
	return -1;
}

int main(int argc, char **argv)
{
	int first = parse_options(argc, argv);
	int ret;

	if (first < 0) {
		cli_error("unrecognized option '%s'", argv[-first]);
		usage();
		return 255;
	}
	ret = run_command(argc - first, argv + first);
	/* bpftool's exit codes: -1 (255) for errors, -errno for a failed
	 * operation (lookup of a missing key: 254); older paths return 1. */
	if (ret > 0)
		ret = -1;
	return (unsigned char)ret;
}
