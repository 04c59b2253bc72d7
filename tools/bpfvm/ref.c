/* Object references: parsing (bpftool's PROG / MAP, bpfvm's `of OBJ`) and
 * resolution through one resolver per kind. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "cli.h"
#include "ref.h"

static const char *const ref_keywords[CLI_REF_KINDS] = {
	[CLI_REF_ID] = "id",
	[CLI_REF_PINNED] = "pinned",
	[CLI_REF_NAME] = "name",
};

/* The kind `word` names, or CLI_REF_KINDS. */
static enum cli_ref_kind ref_kind(const char *word)
{
	if (!*word || strchr(word, '.') || strchr(word, '/'))
		return CLI_REF_KINDS;
	for (int kind = 0; kind < CLI_REF_KINDS; kind++)
		if (cli_is_prefix(word, ref_keywords[kind]))
			return (enum cli_ref_kind)kind;
	return CLI_REF_KINDS;
}

bool cli_ref_starts(const char *word)
{
	return ref_kind(word) != CLI_REF_KINDS;
}

static int parse_id(const char *word, uint32_t *id)
{
	char *end;
	unsigned long value = strtoul(word, &end, 0);

	if (!*word || *end || value > UINT32_MAX)
		return cli_error("can't parse %s as ID", word);
	*id = (uint32_t)value;
	return 0;
}

int cli_ref_parse(int *argc, char ***argv, struct cli_ref *ref, const char *what)
{
	const char *value;

	memset(ref, 0, sizeof(*ref));
	if (*argc < 1)
		return cli_error("expected %s: 'id', 'name' or 'pinned'", what);
	ref->kind = ref_kind((*argv)[0]);
	if (ref->kind == CLI_REF_KINDS)
		return cli_error("expected 'id', 'name' or 'pinned', got: '%s'?", (*argv)[0]);
	if (*argc < 2)
		return cli_error("'%s' needs at least 1 arguments, 0 found", (*argv)[0]);
	value = (*argv)[1];
	if (ref->kind == CLI_REF_ID && parse_id(value, &ref->id))
		return -1;
	ref->path = ref->kind == CLI_REF_PINNED ? value : NULL;
	ref->name = ref->kind == CLI_REF_NAME ? value : NULL;
	*argc -= 2;
	*argv += 2;
	if (*argc >= 1 && strcmp((*argv)[0], "of") == 0) {
		if (*argc < 2)
			return cli_error("'of' needs an object file");
		ref->obj = (*argv)[1];
		*argc -= 2;
		*argv += 2;
	}
	return 0;
}

int cli_target_parse(int *argc, char ***argv, struct cli_target *target, const char *what,
		     bool ref_optional)
{
	memset(target, 0, sizeof(*target));
	if (*argc >= 2 && strcmp((*argv)[0], "of") == 0) {
		target->obj = (*argv)[1]; /* of OBJ, without REF */
		*argc -= 2;
		*argv += 2;
		return ref_optional ? 0 : cli_error("expected %s before 'of %s'", what, target->obj);
	}
	if (*argc >= 1 && !cli_ref_starts((*argv)[0])) {
		target->obj = (*argv)[0]; /* OBJ [REF] */
		(*argc)--;
		(*argv)++;
		if (*argc < 1 || !cli_ref_starts((*argv)[0])) {
			if (ref_optional)
				return 0;
			return cli_error("expected %s after %s: 'id', 'name' or 'pinned'", what,
					 target->obj);
		}
	}
	if (cli_ref_parse(argc, argv, &target->ref, what))
		return -1;
	target->has_ref = true;
	return cli_ref_check_object(&target->ref, &target->obj);
}

int cli_ref_check_object(const struct cli_ref *ref, const char **obj)
{
	if (!ref->obj)
		return 0;
	if (*obj && strcmp(*obj, ref->obj) != 0)
		return cli_error("one object file per command: %s, not %s", *obj, ref->obj);
	*obj = ref->obj;
	return 0;
}

/* ---- resolvers ---------------------------------------------------------- */

/* Names are those of the command's object file; the namespace has none. */
static int check_has_object(const struct cli_object *co, const struct cli_ref *ref,
			    const char *what)
{
	if (co->obj)
		return 0;
	return cli_error("which object file? 'name %s of OBJ' (the namespace knows %ss by id "
			 "and pin, not by name)", ref->name, what);
}

static int map_by_name(struct cli_object *co, const struct cli_ref *ref, struct bpfvm_map **map)
{
	if (check_has_object(co, ref, "map"))
		return -1;
	*map = cli_find_map(co, ref->name);
	return *map ? 0 : -1;
}

static int prog_by_name(struct cli_object *co, const struct cli_ref *ref,
			struct bpfvm_prog **prog)
{
	if (check_has_object(co, ref, "program"))
		return -1;
	*prog = cli_find_prog(co, ref->name);
	return *prog ? 0 : -1;
}

/* The namespace's ids: the command's own maps, and every other process's
 * shared maps, held until the command ends. */
static int map_by_id(struct cli_object *co, const struct cli_ref *ref, struct bpfvm_map **map)
{
	int err;

	if (co->held_map_cnt == CLI_HELD_MAX)
		return cli_error("too many references in one command");
	err = bpfvm_map_get_by_id_opts(co->vm, ref->id, NULL, map);
	if (err == -EOPNOTSUPP)
		return cli_error("get map by id (%u): %s (%s)", ref->id, strerror(-err),
				 bpfvm_errmsg());
	if (err)
		return cli_error("get map by id (%u): %s", ref->id, strerror(-err));
	co->held_maps[co->held_map_cnt++] = *map;
	return 0;
}

static int prog_by_id(struct cli_object *co, const struct cli_ref *ref, struct bpfvm_prog **prog)
{
	int err;

	if (co->held_prog_cnt == CLI_HELD_MAX)
		return cli_error("too many references in one command");
	err = bpfvm_prog_get_by_id(co->vm, ref->id, prog);
	if (err == -ENOENT)
		return cli_error("get by id (%u): %s", ref->id, strerror(ENOENT));
	if (err)
		return cli_error("get by id (%u): %s (%s)", ref->id, strerror(-err),
				 bpfvm_errmsg());
	co->held_progs[co->held_prog_cnt++] = *prog;
	return 0;
}

struct ref_resolver {
	int (*map)(struct cli_object *co, const struct cli_ref *ref, struct bpfvm_map **map);
	int (*prog)(struct cli_object *co, const struct cli_ref *ref, struct bpfvm_prog **prog);
};

static const struct ref_resolver resolvers[CLI_REF_KINDS] = {
	[CLI_REF_ID] = { map_by_id, prog_by_id },
	[CLI_REF_NAME] = { map_by_name, prog_by_name },
	[CLI_REF_PINNED] = { cli_ns_map, cli_ns_prog },
};

/* A reference naming another object than the command's. */
static int check_same_object(const struct cli_object *co, const struct cli_ref *ref)
{
	if (ref->obj && !co->path)
		return cli_error("one object file per command: %s names none, not %s",
				 ref->kind == CLI_REF_PINNED ? ref->path : "MAP", ref->obj);
	if (ref->obj && strcmp(ref->obj, co->path) != 0)
		return cli_error("one object file per command: %s, not %s", co->path, ref->obj);
	return 0;
}

int cli_ref_map(struct cli_object *co, const struct cli_ref *ref, struct bpfvm_map **map)
{
	*map = NULL;
	if (check_same_object(co, ref))
		return -1;
	return resolvers[ref->kind].map(co, ref, map);
}

int cli_ref_prog(struct cli_object *co, const struct cli_ref *ref, struct bpfvm_prog **prog)
{
	*prog = NULL;
	if (check_same_object(co, ref))
		return -1;
	return resolvers[ref->kind].prog(co, ref, prog);
}
