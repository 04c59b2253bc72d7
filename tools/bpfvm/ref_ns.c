/* HOOK(namespace): references that only the namespace resolves, `pinned
 * FILE` (ref.c's table routes every one here; `id N` goes to the namespace
 * through bpfvm_map_get_by_id_opts), and the pins of programs, which wait
 * for the CLI to call the library's bpfvm_prog_pin / bpfvm_prog_get_by_pin,
 * which exist: the CLI does not use them yet). */
#include <errno.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "cli.h"
#include "ref.h"

int cli_ns_map(struct cli_object *co, const struct cli_ref *ref, struct bpfvm_map **map)
{
	int err;

	*map = NULL;
	if (co->held_map_cnt == CLI_HELD_MAX)
		return cli_error("too many references in one command");
	err = bpfvm_map_get_by_pin(co->vm, ref->path, NULL, map);
	if (err == -EINVAL || err == -EOPNOTSUPP || err == -EPERM)
		return cli_error("bpf obj get (%s): %s (%s)", ref->path, strerror(-err),
				 bpfvm_errmsg());
	if (err)
		return cli_error("bpf obj get (%s): %s", ref->path, strerror(-err));
	co->held_maps[co->held_map_cnt++] = *map;
	return 0;
}

/* HOOK(namespace): pinned programs; to call bpfvm_prog_get_by_pin. */
int cli_ns_prog(struct cli_object *co, const struct cli_ref *ref, struct bpfvm_prog **prog)
{
	(void)co;
	*prog = NULL;
	return cli_error("bpf obj get (%s): bpfvm cannot pin programs yet (maps only); "
			 "use 'name PROG of OBJ'", ref->path);
}

/* HOOK(namespace): to call bpfvm_prog_pin. */
int cli_ns_prog_pin(struct bpfvm_prog *prog, const char *path)
{
	return cli_error("can't pin the program %s (%s): bpfvm cannot pin programs yet "
			 "(maps only)", bpfvm_prog_name(prog), path);
}

int cli_ns_map_pin(struct bpfvm_map *map, const char *path)
{
	int err = bpfvm_map_pin(map, path);

	if (!err)
		return 0;
	if (err == -EEXIST || err == -ENOENT || err == -EACCES)
		cli_error("can't pin the object (%s): %s", path, strerror(-err));
	else
		cli_error("can't pin the object (%s): %s (%s)", path, strerror(-err),
			  bpfvm_errmsg());
	/* bpftool fails on a missing directory before pinning (its bpffs
	 * mount check), with 255; a failed pin is its -errno. */
	return err == -ENOENT ? -1 : err;
}
