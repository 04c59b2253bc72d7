/* Pieces shared by the commands that take an object file: loading it,
 * finding programs and maps by name, bytes in and out (bpftool's formats),
 * and the trace pipe. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpfvm/bpfvm.h"
#include "cli.h"
#include "reuse.h"

bool cli_json;
bool cli_pretty;
bool cli_debug;
enum bpfvm_engine cli_engine;
const char *cli_root;
bool cli_show_pinned;

int cli_vm_create(struct bpfvm **vm)
{
	struct bpfvm_opts opts = {
		.sz = sizeof(opts), .engine = cli_engine, .use_ns = true, .ns_root = cli_root,
	};

	return bpfvm_create(&opts, vm);
}

/* bpftool's p_err: with -j the error is the JSON document, on stdout. */
int cli_error(const char *fmt, ...)
{
	char message[4096];
	va_list args;

	va_start(args, fmt);
	vsnprintf(message, sizeof(message), fmt, args);
	va_end(args);
	if (cli_json) {
		json_begin(cli_pretty);
		json_start_object();
		json_string_field("error", message);
		json_end_object();
		json_end();
	} else {
		fprintf(stderr, "Error: %s\n", message);
	}
	return -1;
}

int cli_fail(const char *what)
{
	return cli_error("%s: %s", what, bpfvm_errmsg());
}

void cli_print_prog_log(FILE *out, const struct bpfvm_prog *prog)
{
	const char *log = bpfvm_prog_verifier_log(prog);
	size_t len = log ? strlen(log) : 0;

	if (!log)
		return;
	fprintf(out, "bpfvm: prog '%s': -- BEGIN PROG LOAD LOG --\n%s%s-- END PROG LOAD LOG --\n",
		bpfvm_prog_name(prog), log, len && log[len - 1] != '\n' ? "\n" : "");
}

/* The program the verifier refused: the first one to load that has no id
 * and a log (the loader stops at the first failure). */
static void print_refusal(const struct cli_object *co, int err)
{
	for (size_t i = 0; i < bpfvm_object_prog_cnt(co->obj); i++) {
		const struct bpfvm_prog *prog = bpfvm_object_prog(co->obj, i);

		if (!bpfvm_prog_autoload(prog) || bpfvm_prog_id(prog) ||
		    !bpfvm_prog_verifier_log(prog))
			continue;
		fprintf(stderr, "bpfvm: prog '%s': BPF program load failed: %s\n",
			bpfvm_prog_name(prog), strerror(-err));
		cli_print_prog_log(stderr, prog);
		return;
	}
}

static int load_with_logs(struct cli_object *co, uint32_t log_level)
{
	int err;

	if (cli_debug)
		log_level |= BPFVM_LOG_LEVEL1 | BPFVM_LOG_LEVEL2 | BPFVM_LOG_STATS;
	for (size_t i = 0; log_level && i < bpfvm_object_prog_cnt(co->obj); i++)
		bpfvm_prog_set_log_level(bpfvm_object_prog(co->obj, i), log_level);
	err = bpfvm_object_load(co->obj);
	if (err) {
		char reason[2048];

		snprintf(reason, sizeof(reason), "%s", bpfvm_errmsg());
		print_refusal(co, err);
		cli_error("%s: %s", co->path, reason);
		return 1;
	}
	for (size_t i = 0; cli_debug && i < bpfvm_object_prog_cnt(co->obj); i++)
		cli_print_prog_log(stderr, bpfvm_object_prog(co->obj, i));
	return 0;
}

static int open_object(const char *path, struct cli_object *co)
{
	memset(co, 0, sizeof(*co));
	co->path = path;
	if (cli_vm_create(&co->vm))
		return cli_fail("create");
	if (bpfvm_object_open(co->vm, path, NULL, &co->obj)) {
		cli_fail(path);
		cli_object_close(co);
		return 1;
	}
	return 0;
}

int cli_ns_open(struct cli_object *co)
{
	memset(co, 0, sizeof(*co));
	if (cli_vm_create(&co->vm))
		return cli_fail("namespace");
	return 0;
}

int cli_object_load(const char *path, struct cli_object *co)
{
	return cli_object_load_logged(path, 0, co);
}

int cli_object_load_logged(const char *path, uint32_t log_level, struct cli_object *co)
{
	struct cli_load_opts opts = { .log_level = log_level };

	return cli_object_load_opts(path, &opts, co);
}

/* Autoload only opts->prog and what it needs. */
static int choose_prog(struct cli_object *co, const struct cli_load_opts *opts)
{
	struct bpfvm_prog *prog = cli_find_prog(co, opts->prog);

	if (!prog)
		return -1;
	if (bpfvm_object_autoload_only(co->obj, prog))
		return cli_fail(co->path);
	return 0;
}

int cli_object_load_opts(const char *path, const struct cli_load_opts *opts,
			 struct cli_object *co)
{
	if (open_object(path, co))
		return 1;
	if ((opts->only && choose_prog(co, opts)) ||
	    (opts->reuse && cli_reuse_apply(co, opts->reuse)) ||
	    load_with_logs(co, opts->log_level)) {
		cli_object_close(co);
		return 1;
	}
	return 0;
}

int cli_object_load_prog(const char *path, const char *name, uint32_t log_level,
			 struct cli_object *co, struct bpfvm_prog **prog_out)
{
	struct cli_load_opts opts = { .prog = name, .only = true, .log_level = log_level };

	if (cli_object_load_opts(path, &opts, co))
		return 1;
	*prog_out = cli_find_prog(co, name);
	return 0;
}

/* libbpf's open (no load, no kernel) fixes up what the file leaves to the
 * loader: the sizes of global data sections and their variables' offsets,
 * which the kernel's copy of the BTF has and bpftool's output shows. */
const struct btf *cli_object_btf(struct cli_object *co)
{
	if (!co->btf_read && co->path) {
		co->btf_read = true;
		co->libbpf_obj = bpf_object__open_file(co->path, NULL);
		if (libbpf_get_error(co->libbpf_obj))
			co->libbpf_obj = NULL;
	}
	return co->libbpf_obj ? bpf_object__btf(co->libbpf_obj) : NULL;
}

void cli_object_close(struct cli_object *co)
{
	for (size_t i = 0; i < co->held_map_cnt; i++)
		bpfvm_map_close(co->held_maps[i]);
	for (size_t i = 0; i < co->held_prog_cnt; i++)
		bpfvm_prog_close(co->held_progs[i]);
	co->held_map_cnt = co->held_prog_cnt = 0;
	bpf_object__close(co->libbpf_obj);
	co->libbpf_obj = NULL;
	co->btf_read = false;
	bpfvm_object_close(co->obj);
	bpfvm_destroy(co->vm);
	co->obj = NULL;
	co->vm = NULL;
}

static void list_progs(const struct cli_object *co)
{
	fprintf(stderr, "%s has:", co->path);
	for (size_t i = 0; i < bpfvm_object_prog_cnt(co->obj); i++)
		fprintf(stderr, " %s", bpfvm_prog_name(bpfvm_object_prog(co->obj, i)));
	fputc('\n', stderr);
}

/* No name: the only program of the object; several: the user must choose. */
struct bpfvm_prog *cli_find_prog(const struct cli_object *co, const char *name)
{
	struct bpfvm_prog *prog;
	size_t count = bpfvm_object_prog_cnt(co->obj);

	if (!name) {
		if (count == 1)
			return bpfvm_object_prog(co->obj, 0);
		if (count == 0)
			cli_error("%s: no programs", co->path);
		else {
			cli_error("%s: %zu programs: choose one with 'name PROG'", co->path, count);
			list_progs(co);
		}
		return NULL;
	}
	prog = bpfvm_object_find_prog(co->obj, name);
	if (!prog) {
		cli_error("%s: no program named '%s'", co->path, name);
		list_progs(co);
	}
	return prog;
}

struct bpfvm_map *cli_find_map(const struct cli_object *co, const char *name)
{
	struct bpfvm_map *map = bpfvm_object_find_map(co->obj, name);

	if (map)
		return map;
	/* Internal maps may be asked for by section: ".bss" for "obj.bss". */
	for (size_t i = 0; i < bpfvm_object_map_cnt(co->obj); i++) {
		const char *full = bpfvm_map_name(bpfvm_object_map(co->obj, i));
		const char *dot = full ? strchr(full, '.') : NULL;

		if (dot && strcmp(dot, name) == 0)
			return bpfvm_object_map(co->obj, i);
	}
	/* The kernel's name, cut at BPF_OBJ_NAME_LEN as bpftool shows it. */
	for (size_t i = 0; i < bpfvm_object_map_cnt(co->obj); i++) {
		struct bpfvm_map_info info;

		if (!bpfvm_map_get_info(bpfvm_object_map(co->obj, i), &info) &&
		    strncmp(info.name, name, sizeof(info.name)) == 0)
			return bpfvm_object_map(co->obj, i);
	}
	cli_error("%s: no map named '%s'", co->path, name);
	return NULL;
}

void cli_print_hex(FILE *out, const void *data, size_t len)
{
	const uint8_t *bytes = data;

	for (size_t i = 0; i < len; i++) {
		const char *separator = " ";

		if (i == 0)
			separator = "";
		else if (i % 16 == 0)
			separator = "\n";
		else if (i % 8 == 0)
			separator = "  ";
		fprintf(out, "%s%02x", separator, bytes[i]);
	}
}

void cli_flush_trace_pipe(struct bpfvm *vm)
{
	char buf[4096];
	long got;

	while ((got = bpfvm_trace_pipe_read(vm, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)got, stderr);
}
