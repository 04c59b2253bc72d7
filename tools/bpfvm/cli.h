/* Shared pieces of the bpfvm command-line tool. */
#ifndef BPFVM_TOOLS_CLI_H
#define BPFVM_TOOLS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "kv.h"

struct bpfvm;
struct btf;
struct bpf_object;
struct bpfvm_object;
struct bpfvm_prog;
struct bpfvm_map;

/* -j / --json: bpftool's JSON output; -p / --pretty: the same, indented
 * (and implies -j, as in bpftool). */
extern bool cli_json;
extern bool cli_pretty;

/* -d / --debug: every program verified at log level 1|2|4 (bpftool's -d),
 * its log printed to stderr as libbpf prints it. */
extern bool cli_debug;

/* --engine interp|jit: the engine of every runtime the CLI creates
 * (default: BPFVM_ENGINE, else the JIT on x86-64). */
extern enum bpfvm_engine cli_engine;

/* --root DIR: the namespace's root (default: BPFVM_ROOT, else the
 * library's default, docs/namespace.md). Every runtime of the CLI uses the
 * namespace, so that pins and ids outlive the command, as bpffs's do. */
extern const char *cli_root;

/* -f / --bpffs: `map show` prints each map's pins (bpftool's "pinned"). */
extern bool cli_show_pinned;

/* Creates the runtime with the CLI's options; prints why on failure. */
int cli_vm_create(struct bpfvm **vm);

/* Reads a whole file ("-" is stdin). Returns a malloc'ed buffer with a NUL
 * after the data, or NULL with a message on stderr. */
char *cli_read_file(const char *path, size_t *len_out);

/* Prints "Error: <what>: <library message>" as cli_error(); returns -1. */
int cli_fail(const char *what);

#define CLI_HELD_MAX 16

/* An object file opened and loaded in a fresh runtime, for the commands that
 * take OBJ: the runtime in which references (ref.h) are resolved. */
struct cli_object {
	struct bpfvm *vm;
	struct bpfvm_object *obj;
	const char *path;
	struct bpf_object *libbpf_obj; /* libbpf's view, for the BTF, opened when asked */
	bool btf_read;
	/* references taken by id, dropped by cli_object_close() */
	struct bpfvm_map *held_maps[CLI_HELD_MAX];
	struct bpfvm_prog *held_progs[CLI_HELD_MAX];
	size_t held_map_cnt, held_prog_cnt;
};

/* How an object is loaded: bpftool's `prog load` options. */
struct cli_reuse;
struct cli_load_opts {
	const char *prog;	     /* only this program and what it needs (NULL: all) */
	bool only;		     /* load only `prog` (an object with one program: NULL) */
	uint32_t log_level;	     /* every program's, plus 1|2|4 with -d */
	const struct cli_reuse *reuse; /* maps given by `map {idx|name} MAP`, or NULL */
};

/* Opens `path` in a fresh runtime, reuses the maps opts->reuse gives, and
 * loads it; on failure prints why and returns non-zero. */
int cli_object_load_opts(const char *path, const struct cli_load_opts *opts,
			 struct cli_object *co);

/* A cli_object with a runtime on the namespace and no object file: for the
 * commands on pinned maps and ids (`bpfvm map dump pinned P`). */
int cli_ns_open(struct cli_object *co);

/* Opens and loads `path`; on failure prints why (with the verifier's log
 * of a refused program, as libbpf prints it) and returns non-zero. */
int cli_object_load(const char *path, struct cli_object *co);
/* The same, every program verified at `log_level` (plus 1|2|4 with -d). */
int cli_object_load_logged(const char *path, uint32_t log_level, struct cli_object *co);

/* Opens `path` and loads only program `name` (NULL: the object's only
 * program) and the programs it needs (bpfvm_object_autoload_only), every
 * one at `log_level` (plus 1|2|4 with -d). *prog_out is the program. On
 * failure prints why and returns non-zero. */
int cli_object_load_prog(const char *path, const char *name, uint32_t log_level,
			 struct cli_object *co, struct bpfvm_prog **prog_out);

/* Prints a program's verifier log between libbpf's "-- BEGIN PROG LOAD LOG
 * --" and "-- END PROG LOAD LOG --" lines. */
void cli_print_prog_log(FILE *out, const struct bpfvm_prog *prog);
void cli_object_close(struct cli_object *co);

/* The object file's BTF as libbpf fixes it up at open, or NULL. */
const struct btf *cli_object_btf(struct cli_object *co);

/* `name NAME` as the next two arguments: the program, or the map. Prints
 * what is missing or unknown and returns NULL. */
struct bpfvm_prog *cli_find_prog(const struct cli_object *co, const char *name);
struct bpfvm_map *cli_find_map(const struct cli_object *co, const char *name);

/* Bytes as bpftool's fprint_hex: "01 02 ... 08  09 0a", a line break every
 * 16 bytes. */
void cli_print_hex(FILE *out, const void *data, size_t len);

/* Writes the lines bpf_trace_printk produced since the last call to stderr. */
void cli_flush_trace_pipe(struct bpfvm *vm);

/* A map command on a loaded object: argv is "VERB [name MAP] ARGS...", VERB
 * one of show, dump, lookup, update, delete, in bpftool's grammar without
 * the object (update values of prog arrays and maps of maps: `id N` or `name
 * NAME`). Returns 0, or non-zero after printing why. */
int cli_map_on_object(struct cli_object *co, int argc, char **argv);

/* `map event_pipe MAP [cpu N index M]` (cmd_event_pipe.c): reads a perf
 * event array's records until SIGINT or SIGTERM. */
int cli_map_event_pipe(struct bpfvm_map *map, int argc, char **argv);

/* `bpfvm asm ...`, `bpfvm prog ...`, `bpfvm map ...`, `bpfvm run ...`,
 * `bpfvm btf ...`: 0, or bpftool's exit codes (-1 for 255, -errno). */
int cli_asm(int argc, char **argv);
int cli_prog(int argc, char **argv);
int cli_map(int argc, char **argv);
int cli_run(int argc, char **argv);
int cli_btf(int argc, char **argv);

/* `bpfvm prog load ...` (all: `prog loadall ...`), prog_load.c. */
int cli_prog_load(int argc, char **argv, bool all);

/* Each command's help, as bpftool's `OBJECT help`: to stderr, or "null"
 * to stdout with -j. Returns 0. */
int cli_prog_help(void);
int cli_map_help(void);
int cli_btf_help(void);

#endif
