/* Shared pieces of the bpfvm command-line tool. */
#ifndef BPFVM_TOOLS_CLI_H
#define BPFVM_TOOLS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct bpfvm;
struct bpfvm_object;
struct bpfvm_prog;
struct bpfvm_map;

/* -j / --json (and -p / --pretty, printed the same): bpftool's JSON output. */
extern bool cli_json;

/* -d / --debug: every program verified at log level 1|2|4 (bpftool's -d),
 * its log printed to stderr as libbpf prints it. */
extern bool cli_debug;

/* --engine interp|jit: the engine of every runtime the CLI creates
 * (default: BPFVM_ENGINE, else the JIT on x86-64). */
extern enum bpfvm_engine cli_engine;

/* Creates the runtime with the CLI's options; prints why on failure. */
int cli_vm_create(struct bpfvm **vm);

/* Reads a whole file ("-" is stdin). Returns a malloc'ed buffer with a NUL
 * after the data, or NULL with a message on stderr. */
char *cli_read_file(const char *path, size_t *len_out);

/* Prints "bpfvm: <what>: <library message>" to stderr; returns 1. */
int cli_fail(const char *what);

/* Prints "bpfvm: <message>" to stderr; returns 1. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* An object file opened and loaded in a fresh runtime, for the commands that
 * take OBJ. */
struct cli_object {
	struct bpfvm *vm;
	struct bpfvm_object *obj;
	const char *path;
};

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

/* `name NAME` as the next two arguments: the program, or the map. Prints
 * what is missing or unknown and returns NULL. */
struct bpfvm_prog *cli_find_prog(const struct cli_object *co, const char *name);
struct bpfvm_map *cli_find_map(const struct cli_object *co, const char *name);

/* Parses `size` bytes from the arguments, as bpftool does for keys and
 * values: "[hex] B0 B1 ...", each byte a C number (0x1f, 31, 037) or, after
 * the word "hex", two hex digits. Moves argc and argv past them. Prints what
 * is wrong and returns -EINVAL. Shared by `map lookup` and `map update`. */
int cli_parse_bytes(int *argc, char ***argv, void *out, size_t size, const char *what);

/* Bytes as bpftool's fprint_hex: "01 02 ... 08  09 0a", a line break every
 * 16 bytes. */
void cli_print_hex(FILE *out, const void *data, size_t len);

/* A JSON array of "0xNN" strings, as bpftool prints keys and values. */
void cli_print_json_hex(FILE *out, const void *data, size_t len);

/* A JSON string with escapes. */
void cli_print_json_string(FILE *out, const char *text);

/* Writes the lines bpf_trace_printk produced since the last call to stderr. */
void cli_flush_trace_pipe(struct bpfvm *vm);

/* A map command on a loaded object: argv is "VERB [name MAP] ARGS...", VERB
 * one of show, dump, lookup, update, delete, in bpftool's grammar without
 * the object (update values of prog arrays and maps of maps: `id N` or `name
 * NAME`). Returns 0, or non-zero after printing why. */
int cli_map_on_object(struct cli_object *co, int argc, char **argv);

/* `bpfvm asm ...`, `bpfvm prog ...`, `bpfvm map ...`, `bpfvm run ...` */
int cli_asm(int argc, char **argv);
int cli_prog(int argc, char **argv);
int cli_map(int argc, char **argv);
int cli_run(int argc, char **argv);

#endif
