/* The namespace's public API: pin, unpin, get by pin or id, list. */
#define _GNU_SOURCE /* nftw's FTW_ACTIONRETVAL */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/opts.h"
#include "core/runtime.h"
#include "engine/prog.h"
#include "ns/ns_hold.h"
#include "ns/ns_map.h"
#include "ns/ns_prog.h"

static int ns_api_need_ns(const struct bpfvm *vm, const char *what)
{
	if (vm && vm->ns)
		return 0;
	vm_error("%s: the runtime has no namespace (bpfvm_opts.use_ns)", what);
	return vm ? -EOPNOTSUPP : -EINVAL;
}

const char *bpfvm_ns_root(const struct bpfvm *vm)
{
	return vm && vm->ns ? ns_root(vm->ns) : NULL;
}

int bpfvm_map_pin(struct bpfvm_map *map, const char *path)
{
	char pin[PATH_MAX + 64], file[PATH_MAX + 64];
	int err;

	if (!map || !path) {
		vm_error("bpfvm_map_pin: NULL argument");
		return -EINVAL;
	}
	err = ns_api_need_ns(map->vm, "bpfvm_map_pin");
	if (err)
		return err;
	if (!map->shared) {
		vm_error("map '%s': cannot be pinned: %s", bpfvm_map_name(map),
			 map->ops->share_refusal ? map->ops->share_refusal
						 : "its type is never shared");
		return -EOPNOTSUPP;
	}
	err = ns_pin_path(map->vm->ns, path, pin, sizeof(pin));
	if (err)
		return err;
	/* A pin is a hard link to the map's file (ns.h). */
	ns_map_file(map->vm->ns, map->region->id, file, sizeof(file));
	if (link(file, pin)) {
		err = -errno;
		vm_error("map '%s': cannot pin at '%s': %s", bpfvm_map_name(map), pin,
			 strerror(errno));
		return err;
	}
	return 0;
}

/* Whether the file at `fd` is a map file of this namespace: its inode is
 * that of <root>/.bpfvm/maps/<id>. */
static bool ns_api_is_map_file(const struct ns *ns, int fd, uint32_t *id)
{
	struct map_region header;
	char file[PATH_MAX + 64];
	struct stat st, file_st;

	if (pread(fd, &header, sizeof(header), 0) != (ssize_t)sizeof(header) ||
	    header.magic != MAP_REGION_MAGIC || fstat(fd, &st))
		return false;
	ns_map_file(ns, header.id, file, sizeof(file));
	*id = header.id;
	return stat(file, &file_st) == 0 && file_st.st_ino == st.st_ino &&
	       file_st.st_dev == st.st_dev;
}

int bpfvm_prog_pin(struct bpfvm_prog *prog, const char *path)
{
	char pin[PATH_MAX + 64], file[PATH_MAX + 64];
	int err;

	if (!prog || !path) {
		vm_error("bpfvm_prog_pin: NULL argument");
		return -EINVAL;
	}
	err = ns_api_need_ns(prog->vm, "bpfvm_prog_pin");
	if (err)
		return err;
	if (!prog->ns_id) {
		vm_error("%s: cannot be pinned: not loaded", prog->name);
		return -EINVAL;
	}
	err = ns_pin_path(prog->vm->ns, path, pin, sizeof(pin));
	if (err)
		return err;
	ns_object_file(prog->vm->ns, NS_KIND_PROG, prog->ns_id, file, sizeof(file));
	if (link(file, pin)) {
		err = -errno;
		vm_error("%s: cannot pin at '%s': %s", prog->name, pin, strerror(errno));
		return err;
	}
	return 0;
}

int bpfvm_prog_get_by_pin(struct bpfvm *vm, const char *path, struct bpfvm_prog **prog_out)
{
	char pin[PATH_MAX + 64];
	int err;

	if (!path || !prog_out) {
		vm_error("bpfvm_prog_get_by_pin: NULL argument");
		return -EINVAL;
	}
	err = ns_api_need_ns(vm, "bpfvm_prog_get_by_pin");
	if (!err)
		err = ns_pin_path(vm->ns, path, pin, sizeof(pin));
	return err ? err : ns_prog_open(vm, pin, 0, prog_out);
}

/* Whether the file at `fd` is an object of this namespace: its kind, id. */
static bool ns_api_is_object_file(const struct ns *ns, int fd, uint32_t *kind, uint32_t *id)
{
	*kind = NS_KIND_PROG;
	if (ns_prog_is_file(ns, fd, id))
		return true;
	*kind = NS_KIND_MAP;
	return ns_api_is_map_file(ns, fd, id);
}

/* A pin holds a user reference, as on bpffs: a map whose family acts on the
 * last one going (a prog array empties) is opened and closed once more, so
 * that the close is the last if no process holds one any more. */
static void ns_api_unpinned_map(struct bpfvm *vm, int fd, uint32_t id)
{
	const struct map_ops *ops;
	struct map_region header;
	struct bpfvm_map *map;

	if (pread(fd, &header, sizeof(header), 0) != (ssize_t)sizeof(header))
		return;
	ops = map_ops_for_type(header.type);
	if (ops && ops->release_user && ns_map_open(vm, NULL, id, 0, &map) == 0)
		map_put_user(map);
}

int bpfvm_obj_unpin(struct bpfvm *vm, const char *path)
{
	char pin[PATH_MAX + 64];
	uint32_t id = 0, kind = NS_KIND_MAP;
	int err, fd;

	err = ns_api_need_ns(vm, "bpfvm_obj_unpin");
	if (!err)
		err = ns_pin_path(vm->ns, path, pin, sizeof(pin));
	if (err)
		return err;
	err = ns_lock(vm->ns);
	if (err)
		return err;
	fd = open(pin, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno != EACCES) {
		err = -errno;
		vm_error("cannot unpin '%s': %s", pin, strerror(errno));
	} else if (fd >= 0 && !ns_api_is_object_file(vm->ns, fd, &kind, &id)) {
		vm_error("cannot unpin '%s': not a bpfvm object of this namespace", pin);
		err = -EINVAL;
	} else if (unlink(pin)) {
		err = -errno;
		vm_error("cannot unpin '%s': %s", pin, strerror(errno));
	} else if (fd >= 0) {
		/* The last pin of an object nobody has open: it goes. */
		ns_object_file_reap(vm->ns, kind, id, fd);
	}
	ns_unlock(vm->ns);
	if (!err && fd >= 0 && kind == NS_KIND_MAP)
		ns_api_unpinned_map(vm, fd, id);
	if (fd >= 0)
		close(fd);
	return err;
}

static int ns_api_open_flags(const struct bpfvm_obj_get_opts *opts, uint32_t *flags)
{
	if (!opts_valid(opts, sizeof(*opts))) {
		vm_error("invalid bpfvm_obj_get_opts (sz, or unknown fields set)");
		return -EINVAL;
	}
	*flags = OPTS_GET(opts, file_flags, 0);
	return 0;
}

int bpfvm_map_get_by_pin(struct bpfvm *vm, const char *path,
			 const struct bpfvm_obj_get_opts *opts, struct bpfvm_map **map_out)
{
	uint32_t flags;
	int err;

	if (!path || !map_out) {
		vm_error("bpfvm_map_get_by_pin: NULL argument");
		return -EINVAL;
	}
	err = ns_api_need_ns(vm, "bpfvm_map_get_by_pin");
	if (!err)
		err = ns_api_open_flags(opts, &flags);
	return err ? err : ns_map_open(vm, path, 0, flags, map_out);
}

int bpfvm_map_get_by_id_opts(struct bpfvm *vm, uint32_t id, const struct bpfvm_obj_get_opts *opts,
			     struct bpfvm_map **map_out)
{
	uint32_t flags;
	int err = ns_api_open_flags(opts, &flags);

	if (err)
		return err;
	if (!flags || !vm || !vm->ns)
		return bpfvm_map_get_by_id(vm, id, map_out);
	return ns_map_open(vm, NULL, id, flags, map_out);
}

/* ---- Listing -------------------------------------------------------------- */

struct ns_api_list {
	struct bpfvm *vm;
	bpfvm_ns_entry_fn fn;
	void *ctx;
};

static int ns_api_list_one(void *ctx, const struct ns_record *record)
{
	struct ns_api_list *list = ctx;
	struct bpfvm_ns_entry entry = {
		.id = record->id,
		.kind = (enum bpfvm_ns_kind)record->kind,
		.type = record->type,
		.key_size = record->key_size,
		.value_size = record->value_size,
		.max_entries = record->max_entries,
		.map_flags = record->map_flags,
		.pid = record->local_pid,
	};
	char file[PATH_MAX + 64];
	struct stat st;

	memcpy(entry.name, record->name, sizeof(entry.name));
	entry.name[sizeof(entry.name) - 1] = '\0';
	if (record->kind == NS_KIND_PROG) {
		entry.type = record->type;
		entry.expected_attach_type = record->key_size;
		entry.key_size = 0;
		ns_prog_file_tag(list->vm->ns, record->id, entry.tag);
	}
	ns_object_file(list->vm->ns, record->kind, record->id, file, sizeof(file));
	if (record->kind == NS_KIND_MAP && !record->local_pid)
		ns_map_sweep_users(list->vm, record->id, record->type);
	/* Links that are not pins: the holds of programs and slots (ns_hold.h). */
	if (!record->local_pid && stat(file, &st) == 0 && st.st_nlink > 1) {
		uint32_t links = (uint32_t)st.st_nlink - 1;
		uint32_t holds = ns_hold_count(list->vm->ns, record->kind, record->id);

		entry.pin_cnt = links > holds ? links - holds : 0;
	}
	return list->fn(list->ctx, &entry);
}

int bpfvm_ns_list(struct bpfvm *vm, bpfvm_ns_entry_fn fn, void *ctx)
{
	struct ns_api_list list = { .vm = vm, .fn = fn, .ctx = ctx };
	int err = ns_api_need_ns(vm, "bpfvm_ns_list");

	if (!err && !fn) {
		vm_error("bpfvm_ns_list: NULL fn");
		err = -EINVAL;
	}
	return err ? err : ns_record_walk(vm->ns, ns_api_list_one, &list);
}

/* nftw has no context argument: the walk's state, for this thread. */
static _Thread_local struct ns_api_pins {
	dev_t dev;
	ino_t ino;
	const char *own_dir; /* <root>/.bpfvm */
	bpfvm_ns_pin_fn fn;
	void *ctx;
	int ret;
} *ns_api_pins_walk;

static int ns_api_pins_visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct ns_api_pins *walk = ns_api_pins_walk;

	if (type == FTW_D && strcmp(path, walk->own_dir) == 0)
		return FTW_SKIP_SUBTREE;
	if (type != FTW_F || st->st_ino != walk->ino || st->st_dev != walk->dev)
		return FTW_CONTINUE;
	walk->ret = walk->fn(walk->ctx, path);
	return walk->ret ? FTW_STOP : FTW_CONTINUE;
}

int bpfvm_ns_pins(struct bpfvm *vm, uint32_t id, bpfvm_ns_pin_fn fn, void *ctx)
{
	char file[PATH_MAX + 64], own_dir[PATH_MAX + 64];
	struct ns_api_pins walk = { .fn = fn, .ctx = ctx, .own_dir = own_dir };
	struct ns_record record = { .kind = NS_KIND_MAP };
	struct stat st;
	int err = ns_api_need_ns(vm, "bpfvm_ns_pins");

	if (err)
		return err;
	ns_record_find(vm->ns, id, &record);
	ns_object_file(vm->ns, record.kind, id, file, sizeof(file));
	if (!fn || stat(file, &st)) {
		vm_error("no shared object with id %u", id);
		return fn ? -ENOENT : -EINVAL;
	}
	snprintf(own_dir, sizeof(own_dir), "%s/.bpfvm", ns_root(vm->ns));
	walk.dev = st.st_dev;
	walk.ino = st.st_ino;
	ns_api_pins_walk = &walk;
	nftw(ns_root(vm->ns), ns_api_pins_visit, 16, FTW_PHYS | FTW_ACTIONRETVAL);
	ns_api_pins_walk = NULL;
	return walk.ret;
}
