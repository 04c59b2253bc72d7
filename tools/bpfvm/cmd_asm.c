/* `bpfvm asm run|build|dump`: programs as text, in raw mode. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfvm/bpfvm.h"
#include "cli.h"

struct run_args {
	const char *file;
	const char *data_in;
	unsigned long repeat;
};

static int assemble_file(const char *path, struct bpf_insn **insns, size_t *insn_cnt)
{
	char *text = cli_read_file(path, NULL);
	int err;

	if (!text)
		return -EIO;
	err = bpfvm_asm_parse(text, insns, insn_cnt);
	free(text);
	if (err)
		cli_fail(path);
	return err;
}

static int parse_run_args(int argc, char **argv, struct run_args *args)
{
	if (argc < 1) {
		cli_error("asm run: missing FILE");
		return -EINVAL;
	}
	args->file = argv[0];
	args->data_in = NULL;
	args->repeat = 1;
	for (int i = 1; i < argc; i += 2) {
		if (i + 1 >= argc) {
			cli_error("asm run: '%s' needs a value", argv[i]);
			return -EINVAL;
		}
		if (strcmp(argv[i], "data_in") == 0) {
			args->data_in = argv[i + 1];
		} else if (strcmp(argv[i], "repeat") == 0) {
			char *end;

			args->repeat = strtoul(argv[i + 1], &end, 0);
			if (*end || args->repeat == 0) {
				cli_error("asm run: invalid repeat '%s'", argv[i + 1]);
				return -EINVAL;
			}
		} else {
			cli_error("asm run: unknown argument '%s'", argv[i]);
			return -EINVAL;
		}
	}
	return 0;
}

static double elapsed_ns(const struct timespec *start)
{
	struct timespec end;

	clock_gettime(CLOCK_MONOTONIC, &end);
	return (double)(end.tv_sec - start->tv_sec) * 1e9 + (double)(end.tv_nsec - start->tv_nsec);
}

/* Runs `repeat` times, each over a fresh copy of the input, as bpftool's
 * `prog run ... repeat N` does; prints the last return value. */
static int run_repeated(struct bpfvm_prog *prog, const struct run_args *args, const char *data,
			size_t data_len)
{
	char *copy = data_len ? malloc(data_len) : NULL;
	struct timespec start;
	uint64_t r0 = 0;
	int err = 0;

	if (data_len && !copy)
		return -ENOMEM;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (unsigned long i = 0; i < args->repeat && !err; i++) {
		if (data_len)
			memcpy(copy, data, data_len);
		err = bpfvm_prog_run_raw(prog, copy, data_len, &r0);
	}
	if (!err)
		printf("Return value: %" PRIu64 " (0x%" PRIx64 "), duration (average): %.0fns\n", r0,
		       r0, elapsed_ns(&start) / (double)args->repeat);
	else
		cli_fail(args->file);
	free(copy);
	return err;
}

static int cmd_run(int argc, char **argv)
{
	struct bpfvm_prog_opts opts = { .sz = sizeof(opts) };
	struct bpfvm_prog *prog = NULL;
	struct bpf_insn *insns = NULL;
	struct bpfvm *vm = NULL;
	struct run_args args = { 0 };
	char *data = NULL;
	size_t insn_cnt, data_len = 0;
	int err;

	err = parse_run_args(argc, argv, &args);
	if (!err)
		err = assemble_file(args.file, &insns, &insn_cnt);
	if (!err && args.data_in) {
		data = cli_read_file(args.data_in, &data_len);
		err = data ? 0 : -EIO;
	}
	if (!err && (err = cli_vm_create(&vm)))
		cli_fail("create");
	opts.name = args.file;
	opts.ctx_size = (uint32_t)data_len; /* verified for the input it runs on */
	if (!err && (err = bpfvm_prog_load_raw(vm, insns, insn_cnt, &opts, &prog)))
		cli_fail(args.file);
	if (!err)
		err = run_repeated(prog, &args, data, data_len);
	bpfvm_prog_free(prog);
	bpfvm_destroy(vm);
	free(insns);
	free(data);
	return err ? 1 : 0;
}

static int cmd_build(int argc, char **argv)
{
	struct bpf_insn *insns;
	size_t insn_cnt;
	FILE *out;
	int err;

	if (argc != 2) {
		cli_error("asm build: expected FILE OUT");
		return 2;
	}
	if (assemble_file(argv[0], &insns, &insn_cnt))
		return 1;
	out = strcmp(argv[1], "-") == 0 ? stdout : fopen(argv[1], "wb");
	err = !out || fwrite(insns, sizeof(*insns), insn_cnt, out) != insn_cnt;
	if (out && out != stdout && fclose(out))
		err = 1;
	if (err)
		cli_error("%s: %s", argv[1], strerror(errno));
	free(insns);
	return err;
}

static int ends_with(const char *text, const char *suffix)
{
	size_t len = strlen(text), suffix_len = strlen(suffix);

	return len >= suffix_len && strcmp(text + len - suffix_len, suffix) == 0;
}

static int cmd_dump(int argc, char **argv)
{
	struct bpf_insn *insns = NULL;
	size_t insn_cnt = 0, len;
	char *listing, *data;

	if (argc != 1) {
		cli_error("asm dump: expected FILE");
		return 2;
	}
	if (ends_with(argv[0], ".s")) {
		if (assemble_file(argv[0], &insns, &insn_cnt))
			return 1;
	} else {
		data = cli_read_file(argv[0], &len);
		if (!data)
			return 1;
		if (len % sizeof(struct bpf_insn)) {
			cli_error("%s: size %zu is not a multiple of 8", argv[0], len);
			free(data);
			return 1;
		}
		insns = (struct bpf_insn *)data;
		insn_cnt = len / sizeof(struct bpf_insn);
	}
	listing = bpfvm_disasm_prog(insns, insn_cnt);
	if (listing)
		fputs(listing, stdout);
	free(listing);
	free(insns);
	return listing ? 0 : 1;
}

static int asm_help(void)
{
	fprintf(stderr,
		"Usage: bpfvm asm run FILE [data_in DATA] [repeat N]\n"
		"       bpfvm asm build FILE OUT\n"
		"       bpfvm asm dump FILE\n"
		"       bpfvm asm help\n"
		"\n"
		"run: assemble FILE (the kernel verifier's syntax) and run it in raw\n"
		"mode: r1 = a writable copy of DATA's bytes, r2 = their length. build:\n"
		"raw bytecode, 8 bytes per instruction. dump: disassemble bytecode, or\n"
		"reformat an assembler FILE (*.s).\n");
	return 0;
}

int cli_asm(int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "help") == 0)
		return asm_help();
	if (argc >= 1 && strcmp(argv[0], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "build") == 0)
		return cmd_build(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "dump") == 0)
		return cmd_dump(argc - 1, argv + 1);
	cli_error("asm: expected run, build or dump");
	asm_help();
	return -1;
}
