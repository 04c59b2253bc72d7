/* Maps given to a load: bpftool's `map {idx IDX | name NAME} MAP`. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "cli.h"
#include "reuse.h"

bool cli_reuse_starts(int argc, char **argv)
{
	return argc >= 1 && strcmp(argv[0], "map") == 0;
}

/* idx N or name X, as bpftool's load_with_options. */
static int parse_which(int *argc, char ***argv, struct cli_reuse_map *m)
{
	const char *word = (*argv)[0], *value = (*argv)[1];
	char *end;

	if (cli_is_prefix(word, "idx") && *word) {
		m->idx = strtol(value, &end, 0);
		if (!*value || *end || m->idx < 0)
			return cli_error("can't parse %s as IDX", value);
	} else if (cli_is_prefix(word, "name") && *word) {
		m->name = value;
		m->idx = -1;
	} else {
		return cli_error("expected 'idx' or 'name', got: '%s'?", word);
	}
	*argc -= 2;
	*argv += 2;
	return 0;
}

int cli_reuse_parse(int *argc, char ***argv, struct cli_reuse *reuse)
{
	struct cli_reuse_map *m;

	(*argc)--;
	(*argv)++;
	if (*argc < 4)
		return cli_error("'map' needs at least 4 arguments, %d found", *argc);
	if (reuse->cnt == CLI_REUSE_MAX)
		return cli_error("too many 'map' arguments (at most %d)", CLI_REUSE_MAX);
	m = &reuse->maps[reuse->cnt];
	memset(m, 0, sizeof(*m));
	if (parse_which(argc, argv, m) || cli_ref_parse(argc, argv, &m->ref, "MAP"))
		return -1;
	/* A map by name would be one of the object being loaded: bpftool's
	 * `name` finds a loaded map, which a namespace of maps has no name for. */
	if (m->ref.kind == CLI_REF_NAME)
		return cli_error("map name %s: a map to reuse is 'id MAP_ID' or 'pinned FILE'",
				 m->ref.name);
	reuse->cnt++;
	return 0;
}

/* The index of the object's map that `m` replaces. */
static int reuse_index(const struct cli_object *co, const struct cli_reuse_map *m, size_t *idx)
{
	int found;

	if (m->name) {
		found = bpfvm_object_map_index(co->obj, m->name);
		if (found < 0)
			return cli_error("unable to find map '%s'", m->name);
		*idx = (size_t)found;
		return 0;
	}
	if ((size_t)m->idx >= bpfvm_object_map_cnt(co->obj))
		return cli_error("map idx '%ld' not used", m->idx);
	*idx = (size_t)m->idx;
	return 0;
}

int cli_reuse_apply(struct cli_object *co, const struct cli_reuse *reuse)
{
	for (size_t i = 0; i < reuse->cnt; i++) {
		const struct cli_reuse_map *m = &reuse->maps[i];
		struct bpfvm_map *map;
		size_t idx = 0;
		int err;

		if (reuse_index(co, m, &idx) || cli_ref_map(co, &m->ref, &map))
			return -1;
		err = bpfvm_object_reuse_map(co->obj, idx, map);
		if (err)
			return cli_error("unable to set up map reuse: %d (%s)", err, bpfvm_errmsg());
	}
	return 0;
}
