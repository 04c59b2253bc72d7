/* References that only the namespace resolves: `pinned FILE` for maps and
 * programs (ref.c's table routes every one here), and the pins the CLI
 * makes, in bpftool's words (bpftool's open_obj_pinned_any, do_pin_fd). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "bpfvm/bpfvm.h"
#include "cli.h"
#include "ref.h"

/* A pin that is not of the kind asked for: bpftool's "incorrect object
 * type: map" (or "prog"). Only asked after the open failed with -EINVAL,
 * so an open of the other kind is what tells. */
static bool pinned_is_map(struct bpfvm *vm, const char *path)
{
	struct bpfvm_map *map;

	if (bpfvm_map_get_by_pin(vm, path, NULL, &map))
		return false;
	bpfvm_map_close(map);
	return true;
}

static bool pinned_is_prog(struct bpfvm *vm, const char *path)
{
	struct bpfvm_prog *prog;

	if (bpfvm_prog_get_by_pin(vm, path, &prog))
		return false;
	bpfvm_prog_close(prog);
	return true;
}

/* Whether something is at the pin path (relative paths are the root's). */
static bool pin_exists(struct bpfvm *vm, const char *path)
{
	char full[4096];
	struct stat st;

	if (path[0] != '/' && bpfvm_ns_root(vm))
		snprintf(full, sizeof(full), "%s/%s", bpfvm_ns_root(vm), path);
	else
		snprintf(full, sizeof(full), "%s", path);
	return stat(full, &st) == 0;
}

/* bpftool's open_obj_pinned: "bpf obj get (PATH): strerror", and bpfvm's
 * reason when the library has one worth reading: a program found whose
 * map is gone is -ENOENT too (a pinned program does not keep its maps:
 * docs/cli.md). */
static int obj_get_failed(struct bpfvm *vm, const char *path, int err)
{
	if (err == -EINVAL || err == -EOPNOTSUPP || err == -EPERM ||
	    (err == -ENOENT && pin_exists(vm, path)))
		return cli_error("bpf obj get (%s): %s (%s)", path, strerror(-err),
				 bpfvm_errmsg());
	return cli_error("bpf obj get (%s): %s", path, strerror(-err));
}

int cli_ns_map(struct cli_object *co, const struct cli_ref *ref, struct bpfvm_map **map)
{
	int err;

	*map = NULL;
	if (co->held_map_cnt == CLI_HELD_MAX)
		return cli_error("too many references in one command");
	err = bpfvm_map_get_by_pin(co->vm, ref->path, NULL, map);
	if (err == -EINVAL && pinned_is_prog(co->vm, ref->path))
		return cli_error("incorrect object type: prog");
	if (err)
		return obj_get_failed(co->vm, ref->path, err);
	co->held_maps[co->held_map_cnt++] = *map;
	return 0;
}

int cli_ns_prog(struct cli_object *co, const struct cli_ref *ref, struct bpfvm_prog **prog)
{
	int err;

	*prog = NULL;
	if (co->held_prog_cnt == CLI_HELD_MAX)
		return cli_error("too many references in one command");
	err = bpfvm_prog_get_by_pin(co->vm, ref->path, prog);
	if (err == -EINVAL && pinned_is_map(co->vm, ref->path))
		return cli_error("incorrect object type: map");
	if (err)
		return obj_get_failed(co->vm, ref->path, err);
	co->held_progs[co->held_prog_cnt++] = *prog;
	return 0;
}

/* bpftool's do_pin_fd: "can't pin the object (PATH): strerror", exit code
 * the -errno; bpfvm's reason after it where the errno alone does not say. */
static int pin_failed(const char *path, int err)
{
	if (err == -EEXIST || err == -ENOENT || err == -EACCES)
		cli_error("can't pin the object (%s): %s", path, strerror(-err));
	else
		cli_error("can't pin the object (%s): %s (%s)", path, strerror(-err),
			  bpfvm_errmsg());
	/* bpftool fails on a missing directory before pinning (its bpffs
	 * mount check), with 255; a failed pin is its -errno. */
	return err == -ENOENT ? -1 : err;
}

int cli_ns_prog_pin(struct bpfvm_prog *prog, const char *path)
{
	int err = bpfvm_prog_pin(prog, path);

	return err ? pin_failed(path, err) : 0;
}

int cli_ns_map_pin(struct bpfvm_map *map, const char *path)
{
	int err = bpfvm_map_pin(map, path);

	return err ? pin_failed(path, err) : 0;
}
