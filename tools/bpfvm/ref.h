/* Object references, parsed in one place: bpftool's PROG and MAP,
 *
 *     REF := id N | pinned FILE | name NAME        [of OBJ]
 *
 * and where they are resolved. `of OBJ` (bpfvm's) names the object file
 * that the command loads into its runtime; bpfvm's first grammar, `OBJ
 * [name NAME]` with the object file first, is the same target spelled the
 * other way round and stays accepted.
 *
 * Resolution goes through a table, one resolver per kind (ref.c): `name`
 * finds a program or map of the command's object, `id` a map or program
 * of the namespace (any process's), and `pinned` goes to the namespace
 * (ref_ns.c). */
#ifndef BPFVM_TOOLS_REF_H
#define BPFVM_TOOLS_REF_H

#include <stdbool.h>
#include <stdint.h>

struct bpfvm_map;
struct bpfvm_prog;
struct cli_object;

enum cli_ref_kind {
	CLI_REF_ID,
	CLI_REF_PINNED,
	CLI_REF_NAME,
	CLI_REF_KINDS
};

struct cli_ref {
	enum cli_ref_kind kind;
	uint32_t id;	  /* id N */
	const char *path; /* pinned FILE */
	const char *name; /* name NAME */
	const char *obj;  /* of OBJ, or NULL */
};

/* A command's target: the object file to load (from either grammar, NULL
 * when none was given) and the reference, when one was given. */
struct cli_target {
	const char *obj;
	struct cli_ref ref;
	bool has_ref;
};

/* Whether `word` begins a reference (id, pinned, name, or a prefix of one,
 * as bpftool matches keywords; never a file name with '.' or '/'). */
bool cli_ref_starts(const char *word);

/* Parses REF [of OBJ]; `what` is "PROG" or "MAP" for the messages. Moves
 * argc and argv past it. Returns 0, or -1 after printing bpftool's error. */
int cli_ref_parse(int *argc, char ***argv, struct cli_ref *ref, const char *what);

/* Parses a command's target: `REF [of OBJ]` or `OBJ [REF]`. A missing REF
 * is an error unless `ref_optional`. */
int cli_target_parse(int *argc, char ***argv, struct cli_target *target, const char *what,
		     bool ref_optional);

/* The object file that `ref` names for a command whose object is `obj`
 * (NULL: none yet): refuses a second, different object. */
int cli_ref_check_object(const struct cli_ref *ref, const char **obj);

/* Resolution within a loaded command's object and runtime. References
 * taken by id are held by `co` until cli_object_close(). */
int cli_ref_map(struct cli_object *co, const struct cli_ref *ref, struct bpfvm_map **map);
int cli_ref_prog(struct cli_object *co, const struct cli_ref *ref, struct bpfvm_prog **prog);

/* ref_ns.c: resolution of `pinned FILE` in the namespace (held by `co`
 * until cli_object_close()); a pin of the other kind is bpftool's
 * "incorrect object type: map" (or "prog"). */
int cli_ns_map(struct cli_object *co, const struct cli_ref *ref, struct bpfvm_map **map);
int cli_ns_prog(struct cli_object *co, const struct cli_ref *ref, struct bpfvm_prog **prog);

/* Pins at `path`, printing bpftool's "can't pin the object (PATH): ..." on
 * failure. Returns 0 or the negative errno (bpftool's exit code). */
int cli_ns_map_pin(struct bpfvm_map *map, const char *path);
int cli_ns_prog_pin(struct bpfvm_prog *prog, const char *path);

#endif
