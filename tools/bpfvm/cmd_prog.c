/* `bpfvm prog run|load|show|dump`: bpftool's `prog` commands, on an object file
 * that bpfvm loads itself (where bpftool takes a loaded program's id). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "bpfvm/bpfvm.h"
#include "cli.h"
#include "ref.h"
#include "prog_show.h"
#include "reuse.h"

#define RUN_DEFAULT_SIZE_OUT (32u * 1024) /* bpftool's SZ_32K */

struct run_args {
	struct cli_target target; /* PROG [of OBJ], or OBJ [PROG] */
	const char *prog;	  /* bpfvm's first grammar: OBJ ... name PROG */
	const char *data_in, *data_out;
	const char *ctx_in, *ctx_out;
	uint32_t data_size_out, ctx_size_out;
	uint32_t repeat;
	bool repeat_given;
	bool checked;
	struct cli_reuse reuse; /* map {idx N | name X} MAP */
};

static int parse_u32(const char *word, const char *what, uint32_t *out)
{
	char *end;
	unsigned long value = strtoul(word, &end, 0);

	if (!*word || *end || value > UINT32_MAX)
		return cli_error("prog run: can't parse '%s' as %s", word, what);
	*out = (uint32_t)value;
	return 0;
}

/* bpftool's grammar: keywords followed by one value each, in any order; and
 * bpfvm's `checked`, alone (the run in checked mode). */
static int parse_run_args(int argc, char **argv, struct run_args *args)
{
	memset(args, 0, sizeof(*args));
	args->repeat = 1;
	if (argc < 1)
		return cli_error("prog run: expected PROG");
	if (cli_target_parse(&argc, &argv, &args->target, "PROG", true))
		return -1;
	if (args->target.has_ref && args->target.ref.kind == CLI_REF_NAME)
		args->prog = args->target.ref.name;
	for (int i = 0; i < argc; i += 2) {
		const char *key = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
		int err = 0;

		if (strcmp(key, "checked") == 0) {
			args->checked = true;
			i--;
			continue;
		}
		if (strcmp(key, "map") == 0) {
			int left = argc - i;
			char **words = argv + i;

			if (cli_reuse_parse(&left, &words, &args->reuse))
				return -1;
			i = argc - left - 2;
			continue;
		}
		if (!value)
			return cli_error("prog run: '%s' needs a value", key);
		if (strcmp(key, "name") == 0)
			args->prog = value;
		else if (strcmp(key, "data_in") == 0)
			args->data_in = value;
		else if (strcmp(key, "data_out") == 0)
			args->data_out = value;
		else if (strcmp(key, "data_size_out") == 0)
			err = parse_u32(value, "output data size", &args->data_size_out);
		else if (strcmp(key, "ctx_in") == 0)
			args->ctx_in = value;
		else if (strcmp(key, "ctx_out") == 0)
			args->ctx_out = value;
		else if (strcmp(key, "ctx_size_out") == 0)
			err = parse_u32(value, "output context size", &args->ctx_size_out);
		else if (strcmp(key, "repeat") == 0) {
			err = parse_u32(value, "repeat number", &args->repeat);
			args->repeat_given = true;
		} else
			return cli_error("prog run: expected 'name', 'data_in', 'data_out', "
					 "'data_size_out', 'ctx_in', 'ctx_out', 'ctx_size_out' "
					 "'repeat', 'map' or 'checked', got: '%s'",
					 key);
		if (err)
			return err;
	}
	if (args->data_in && args->ctx_in && strcmp(args->data_in, "-") == 0 &&
	    strcmp(args->ctx_in, "-") == 0)
		return cli_error("prog run: cannot use standard input for both data_in and ctx_in");
	return 0;
}

/* bpftool's hex_print: offset, 16 bytes in pairs, then the printable ones. */
static void print_hex_dump(const uint8_t *data, uint32_t size)
{
	for (uint32_t i = 0; i < size; i += 16) {
		uint32_t j;

		printf("%07x\t", i);
		for (j = i; j < i + 16 && j < size; j++)
			printf("%02x%s", data[j], j % 2 ? " " : "");
		for (; j < i + 16; j++)
			printf("  %s", j % 2 ? " " : "");
		printf("| ");
		for (j = i; j < i + 16 && j < size; j++) {
			char c = (char)data[j];

			printf("%c%s", c < ' ' || c > '~' ? '.' : c, j == i + 7 ? " " : "");
		}
		printf("\n");
	}
}

static void print_json_bytes(const uint8_t *data, uint32_t size)
{
	json_start_array();
	for (uint32_t i = 0; i < size; i++)
		json_uint(data[i]);
	json_end_array();
}

/* "-": to stdout (hex dump, or a JSON member); else the raw bytes to FILE. */
static int print_run_output(const uint8_t *data, uint32_t size, const char *file,
			    const char *json_key)
{
	FILE *out;
	int err;

	if (!file)
		return 0;
	if (strcmp(file, "-") == 0) {
		if (cli_json) {
			json_name(json_key);
			print_json_bytes(data, size);
		} else {
			print_hex_dump(data, size);
		}
		return 0;
	}
	out = fopen(file, "wb");
	if (!out)
		return cli_error("failed to open %s: %s", file, strerror(errno));
	err = fwrite(data, 1, size, out) != size;
	if (fclose(out) || err)
		return cli_error("failed to write output %s: %s", file, strerror(errno));
	return 0;
}

static int read_input(const char *file, void **data, uint32_t *size)
{
	size_t len = 0;

	*data = NULL;
	*size = 0;
	if (!file)
		return 0;
	*data = cli_read_file(file, &len);
	if (!*data)
		return 1;
	*size = (uint32_t)len;
	return 0;
}

static void print_run_result(const struct bpfvm_test_run_opts *opts, const struct run_args *args)
{
	int err = 0;

	if (cli_json) {
		json_begin(cli_pretty);
		json_start_object();
	}
	if (opts->data_out)
		err |= print_run_output(opts->data_out, opts->data_size_out, args->data_out,
					"data_out");
	if (opts->ctx_out)
		err |= print_run_output(opts->ctx_out, opts->ctx_size_out, args->ctx_out, "ctx_out");
	(void)err; /* as bpftool: the result is printed even if an output failed */
	if (cli_json) {
		json_uint_field("retval", opts->retval);
		json_uint_field("duration", opts->duration);
		json_end_object();
		json_end();
	} else
		printf("Return value: %u, duration%s: %uns\n", opts->retval,
		       args->repeat > 1 ? " (average)" : "", opts->duration);
}

/* Linux refuses ctx_out and any repeat in a raw tracepoint test run, and
 * bpftool 7.1 always asks for both (ctx_out with ctx_in, repeat 1), so it
 * cannot run these programs at all. bpfvm asks for them only when the user
 * names them, so that `prog run OBJ name P ctx_in F` gives the return value
 * the kernel gives through libbpf's bpf_prog_test_run_opts(). */
static bool takes_only_ctx_in(const struct bpfvm_prog *prog)
{
	return bpfvm_prog_type(prog) == BPF_PROG_TYPE_RAW_TRACEPOINT;
}

static int run_prog(struct cli_object *co, struct bpfvm_prog *prog, const struct run_args *args)
{
	struct bpfvm_test_run_opts opts = { .sz = sizeof(opts) };
	void *data_in = NULL, *ctx_in = NULL, *data_out = NULL, *ctx_out = NULL;
	uint32_t data_size_in, ctx_size_in;
	int err = 1;

	if (read_input(args->data_in, &data_in, &data_size_in) ||
	    read_input(args->ctx_in, &ctx_in, &ctx_size_in))
		goto out;
	/* As bpftool: outputs are asked for exactly when there are inputs. */
	if (data_in) {
		opts.data_size_out = args->data_size_out ? args->data_size_out : RUN_DEFAULT_SIZE_OUT;
		data_out = calloc(1, opts.data_size_out);
	}
	if (ctx_in && (!takes_only_ctx_in(prog) || args->ctx_out || args->ctx_size_out)) {
		opts.ctx_size_out = args->ctx_size_out ? args->ctx_size_out : RUN_DEFAULT_SIZE_OUT;
		ctx_out = calloc(1, opts.ctx_size_out);
	}
	if ((data_in && !data_out) || (opts.ctx_size_out && !ctx_out)) {
		cli_error("out of memory");
		goto out;
	}
	opts.data_in = data_in;
	opts.data_size_in = data_size_in;
	opts.data_out = data_out;
	opts.ctx_in = ctx_in;
	opts.ctx_size_in = ctx_size_in;
	opts.ctx_out = ctx_out;
	opts.repeat = takes_only_ctx_in(prog) && !args->repeat_given ? 0 : (int)args->repeat;
	opts.checked = args->checked;
	if (bpfvm_prog_test_run(prog, &opts)) {
		cli_flush_trace_pipe(co->vm);
		cli_error("failed to run program: %s", bpfvm_errmsg());
		goto out;
	}
	cli_flush_trace_pipe(co->vm);
	print_run_result(&opts, args);
	err = 0;
out:
	free(data_in);
	free(ctx_in);
	free(data_out);
	free(ctx_out);
	return err;
}

/* The runtime a command on PROG works in: the target's object file loaded
 * (opts), or, without one, a runtime on the namespace alone, where PROG
 * is `id N` or `pinned FILE` of any process. */
static int open_target(const struct cli_target *target, const struct cli_load_opts *opts,
		       struct cli_object *co)
{
	if (target->obj)
		return cli_object_load_opts(target->obj, opts, co);
	if (opts->reuse && opts->reuse->cnt)
		return cli_error("'map ...' replaces a map of an object file: which one? "
				 "'name PROG of OBJ'");
	return cli_ns_open(co);
}

/* Loads the target's object and finds PROG: by name, only PROG and the
 * programs it needs are verified (a bad neighbour in the object does not
 * keep it from running); by id or pin, the whole object, if any. */
static int load_target_prog(const struct cli_target *target, const char *name,
			    const struct cli_reuse *reuse, struct cli_object *co,
			    struct bpfvm_prog **prog)
{
	struct cli_load_opts opts = { .prog = name, .reuse = reuse };

	opts.only = !target->has_ref || target->ref.kind == CLI_REF_NAME;
	if (!target->obj && !target->has_ref)
		return cli_error("expected PROG: 'id', 'name' or 'pinned'");
	if (open_target(target, &opts, co))
		return -1;
	if (opts.only) {
		*prog = cli_find_prog(co, name);
		return 0;
	}
	if (cli_ref_prog(co, &target->ref, prog)) {
		cli_object_close(co);
		return -1;
	}
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	struct bpfvm_prog *prog;
	struct cli_object co;
	struct run_args args;
	int err;

	if (parse_run_args(argc, argv, &args))
		return -1;
	if (load_target_prog(&args.target, args.prog, &args.reuse, &co, &prog))
		return -1;
	err = run_prog(&co, prog, &args);
	cli_object_close(&co);
	return err;
}

/* ---- PROG ------------------------------------------------------------- */

int cli_prog_target_open(const struct cli_target *target, struct cli_object *co,
			 struct bpfvm_prog **prog)
{
	struct cli_load_opts opts = { 0 };

	*prog = NULL;
	if (open_target(target, &opts, co))
		return -1;
	if (target->has_ref && cli_ref_prog(co, &target->ref, prog)) {
		cli_object_close(co);
		return -1;
	}
	return 0;
}

/* The text of instruction `idx` in bpfvm_prog_disasm's listing (lines
 * "   idx: text"), or NULL: the second slot of an lddw has none. */
static const char *xlated_line(const char *listing, uint32_t idx, int *len)
{
	char prefix[16];
	int n = snprintf(prefix, sizeof(prefix), "%u: ", idx);

	for (const char *line = listing; line && *line;) {
		const char *end = strchr(line, '\n');

		line += strspn(line, " ");
		if (strncmp(line, prefix, (size_t)n) == 0) {
			*len = end ? (int)(end - line) : (int)strlen(line);
			return line;
		}
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

static void print_code_bytes(const uint8_t *code, uint32_t from, uint32_t to)
{
	for (uint32_t off = from; off < to; off += 16) {
		printf("%8x:", off);
		for (uint32_t i = off; i < to && i < off + 16; i++)
			printf(" %02x", code[i]);
		printf("\n");
	}
}

/* As bpftool's `prog dump jited` without a disassembler: each xlated
 * instruction as a comment, then the bytes of its code (with any padding
 * after it), offsets from the start of the image; the cold paths follow
 * the last instruction's. */
static void print_jited(const struct bpfvm_jited *jited, const char *listing)
{
	uint32_t start = 0;
	int len = 0;

	printf("; bpfvm entry stub and tail-call entry\n");
	for (uint32_t idx = 0; idx <= jited->insn_cnt; idx++) {
		const char *next = idx < jited->insn_cnt ? xlated_line(listing, idx, &len) : listing;
		uint32_t end = idx < jited->insn_cnt ? jited->insn_offsets[idx] : (uint32_t)jited->size;

		if (!next)
			continue; /* an lddw's second slot: its code is the first's */
		print_code_bytes(jited->code, start, end);
		if (idx < jited->insn_cnt)
			printf("; %.*s\n", len, next);
		start = end;
	}
}

/* -j prog dump xlated: one {"disasm": TEXT} per instruction, as bpftool. */
static void print_xlated_json(const char *listing)
{
	json_begin(cli_pretty);
	json_start_array();
	for (const char *line = listing; line && *line;) {
		const char *end = strchr(line, '\n'), *colon;
		char text[256];
		int len;

		line += strspn(line, " ");
		colon = strstr(line, ": ");
		len = end ? (int)(end - line) : (int)strlen(line);
		if (colon && colon < line + len) {
			snprintf(text, sizeof(text), "%.*s", (int)(line + len - colon - 2), colon + 2);
			json_start_object();
			json_string_field("disasm", text);
			json_end_object();
		}
		line = end ? end + 1 : NULL;
	}
	json_end_array();
	json_end();
}

/* -j prog dump jited: per xlated instruction, its text and its code bytes. */
static void print_jited_json(const struct bpfvm_jited *jited, const char *listing)
{
	uint32_t start = 0;
	int len = 0;

	json_begin(cli_pretty);
	json_start_array();
	for (uint32_t idx = 0; idx < jited->insn_cnt; idx++) {
		const char *text = xlated_line(listing, idx, &len);
		uint32_t end = idx + 1 < jited->insn_cnt ? jited->insn_offsets[idx + 1]
							  : (uint32_t)jited->size;
		char insn[256];

		if (!text)
			continue;
		/* the text after "idx: " */
		snprintf(insn, sizeof(insn), "%.*s", len - (int)(strchr(text, ' ') + 1 - text),
			 strchr(text, ' ') + 1);
		start = jited->insn_offsets[idx];
		json_start_object();
		json_string_field("insn", insn);
		json_uint_field("pc", start);
		json_name("opcodes");
		json_hex_bytes(jited->code + start, end - start);
		json_end_object();
	}
	json_end_array();
	json_end();
}

/* bpfvm prog dump xlated|jited PROG (or OBJ [name PROG], OBJ PROG_NAME) */
static int cmd_dump(int argc, char **argv)
{
	struct cli_target target;
	struct bpfvm_jited jited;
	struct bpfvm_prog *prog;
	struct cli_object co;
	char *listing;
	bool jit;

	if (argc < 1 || (strcmp(argv[0], "xlated") != 0 && strcmp(argv[0], "jited") != 0))
		return cli_error("expected 'xlated' or 'jited', got: %s", argc ? argv[0] : "(null)");
	jit = strcmp(argv[0], "jited") == 0;
	argc--;
	argv++;
	if (cli_target_parse(&argc, &argv, &target, "PROG", true))
		return -1;
	if (argc > 1 || (argc == 1 && target.has_ref))
		return cli_error("too many arguments");
	if (!target.obj && !target.has_ref)
		return cli_error("expected PROG: 'id', 'name' or 'pinned'");
	if (cli_prog_target_open(&target, &co, &prog))
		return -1;
	if (!prog)
		prog = cli_find_prog(&co, argc ? argv[0] : NULL); /* OBJ [PROG_NAME] */
	if (prog && jit && bpfvm_prog_jited(prog, &jited)) {
		cli_error("prog dump jited: %s (--engine jit)", bpfvm_errmsg());
		cli_object_close(&co);
		return -1;
	}
	listing = prog ? bpfvm_prog_disasm(prog) : NULL;
	if (listing && jit)
		cli_json ? print_jited_json(&jited, listing) : print_jited(&jited, listing);
	else if (listing)
		cli_json ? print_xlated_json(listing) : (void)fputs(listing, stdout);
	else if (prog)
		cli_error("out of memory");
	free(listing);
	cli_object_close(&co);
	return listing ? 0 : -1;
}

/* ---- pin ------------------------------------------------------------- */

/* bpfvm prog pin PROG FILE: the pin outlives the command, and holds the
 * program for any process of the namespace (bpftool's do_pin_any). */
static int cmd_pin(int argc, char **argv)
{
	struct cli_target target;
	struct bpfvm_prog *prog;
	struct cli_object co;
	int err;

	/* bpftool's REQ_ARGS: -EINVAL, exit code 234 */
	if (argc < 3) {
		cli_error("'pin' needs at least 3 arguments, %d found", argc);
		return -EINVAL;
	}
	if (cli_target_parse(&argc, &argv, &target, "PROG", false))
		return -1;
	if (argc != 1)
		return cli_error(argc ? "too many arguments" : "expected FILE after PROG");
	if (cli_prog_target_open(&target, &co, &prog))
		return -1;
	err = cli_ns_prog_pin(prog, argv[0]);
	cli_object_close(&co);
	if (!err && cli_json)
		json_null_document(cli_pretty);
	return err;
}

/* ---- load ------------------------------------------------------------ */

static int cmd_load(int argc, char **argv)
{
	return cli_prog_load(argc, argv, false);
}

static int cmd_loadall(int argc, char **argv)
{
	return cli_prog_load(argc, argv, true);
}

int cli_prog_help(void)
{
	if (cli_json) {
		json_null_document(cli_pretty);
		return 0;
	}
	fprintf(stderr,
		"Usage: bpfvm prog { show | list } [PROG]\n"
		"       bpfvm prog dump xlated PROG\n"
		"       bpfvm prog dump jited  PROG\n"
		"       bpfvm prog pin   PROG FILE\n"
"       bpfvm prog { load | loadall } OBJ [PATH] \\\n"
		"                         [type TYPE] \\\n"
		"                         [map { idx IDX | name NAME } MAP] \\\n"
		"                         [pinmaps MAP_DIR] \\\n"
		"                         [name PROG_NAME] [log_level N]\n"
		"       bpfvm prog run PROG \\\n"
		"                         [data_in FILE \\\n"
		"                         [data_out FILE [data_size_out L]]] \\\n"
		"                         [ctx_in FILE [ctx_out FILE [ctx_size_out M]]] \\\n"
		"                         [repeat N] [checked] \\\n"
		"                         [map { idx IDX | name NAME } MAP]\n"
		"       bpfvm prog help\n"
		"\n"
		"       PROG := { id PROG_ID | pinned FILE | name PROG_NAME } [of OBJ]\n"
		"       MAP := { id MAP_ID | pinned FILE }\n"
		"       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} |\n"
		"                    {-f|--bpffs} | --engine { interp | jit } | --root DIR }\n"
		"\n"
		"OBJ is an object file that bpfvm loads for the command: 'OBJ [name\n"
		"PROG_NAME]' is the same as 'name PROG_NAME of OBJ' (an object with one\n"
		"program needs no name). 'id' and 'pinned' name a program of the\n"
		"namespace, loaded or pinned by any bpfvm process; without PROG, 'show'\n"
		"lists the namespace's programs (-f: their pins). 'prog run' verifies\n"
		"only PROG and the programs its prog arrays hold; 'checked' bounds-checks\n"
		"every memory access. 'prog load' verifies (log_level: 1 the failing\n"
		"path, 2 every path, +4 stats), reusing the maps given ('map', from the\n"
		"namespace), pins the first program at PATH ('loadall': each at\n"
		"PATH/NAME) and the object's maps in MAP_DIR ('pinmaps').\n");
	return 0;
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} prog_commands[] = {
	/* As bpftool's table: a prefix chooses the first that matches. */
	{ "show", cli_prog_show }, { "list", cli_prog_show }, { "dump", cmd_dump },
	{ "pin", cmd_pin }, { "load", cmd_load }, { "loadall", cmd_loadall }, { "run", cmd_run },
};

int cli_prog(int argc, char **argv)
{
	if (argc < 1 || cli_is_prefix(argv[0], "help")) {
		cli_prog_help();
		return argc ? 0 : -1;
	}
	for (size_t i = 0; *argv[0] && i < sizeof(prog_commands) / sizeof(prog_commands[0]); i++)
		if (cli_is_prefix(argv[0], prog_commands[i].name))
			return prog_commands[i].run(argc - 1, argv + 1);
	cli_error("unknown prog command '%s'", argv[0]);
	if (!cli_json)
		cli_prog_help();
	return -1;
}
