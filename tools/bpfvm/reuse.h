/* bpftool's `map {idx IDX | name NAME} MAP` of `prog load`, `prog loadall`
 * (and bpfvm's `prog run` and `run`): a map of the object file that is not
 * created but taken from the namespace, by id or pin (libbpf's
 * bpf_map__reuse_fd, bpfvm_object_reuse_map). */
#ifndef BPFVM_TOOLS_REUSE_H
#define BPFVM_TOOLS_REUSE_H

#include <stdbool.h>
#include <stddef.h>

#include "ref.h"

#define CLI_REUSE_MAX 16

struct cli_reuse_map {
	long idx;	  /* map idx N, or -1 */
	const char *name; /* map name X, or NULL */
	struct cli_ref ref;
};

struct cli_reuse {
	struct cli_reuse_map maps[CLI_REUSE_MAX];
	size_t cnt;
};

/* Whether argv[0] is `map`, the keyword that begins a reuse. */
bool cli_reuse_starts(int argc, char **argv);

/* Parses `map {idx N | name X} MAP` (argv[0] is "map") into reuse and moves
 * past it. Returns 0, or -1 after printing bpftool's error. */
int cli_reuse_parse(int *argc, char ***argv, struct cli_reuse *reuse);

/* Before the load of co's object: each map given replaces the object's
 * (the object takes its own reference). Returns 0, or -1 after printing
 * bpftool's error. */
int cli_reuse_apply(struct cli_object *co, const struct cli_reuse *reuse);

#endif
