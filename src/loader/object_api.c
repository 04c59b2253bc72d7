/* The public object API (bpfvm_object_*): open (read and link), load, close,
 * and the accessors. Names follow libbpf's bpf_object__open_file/_mem:
 * the object name is the file's base name up to its first '.', at most 15
 * characters; for memory without a name, "<address>-<size>" in hex. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/opts.h"
#include "engine/prog.h"
#include "engine/vcpu.h"
#include "loader/loader.h"
#include "maps/map.h"

static int object_create(struct bpfvm *vm, const void *buf, size_t size, const char *path,
			 const char *name, const struct bpfvm_object_opts *opts,
			 struct bpfvm_object **obj_out)
{
	struct bpfvm_object *obj = calloc(1, sizeof(*obj));
	struct object_read_opts read_opts = {
		.btf_custom_path = OPTS_GET(opts, btf_custom_path, NULL),
		.kconfig = OPTS_GET(opts, kconfig, NULL),
	};
	int err;

	if (!obj) {
		vm_error("%s: out of memory", path);
		return -ENOMEM;
	}
	obj->vm = vm;
	obj->log_buf = OPTS_GET(opts, log_buf, NULL);
	obj->log_size = OPTS_GET(opts, log_size, 0);
	obj->log_level = OPTS_GET(opts, log_level, 0);
	const char *pin_root_path = OPTS_GET(opts, pin_root_path, NULL);

	if (pin_root_path && !(obj->pin_root_path = strdup(pin_root_path))) {
		free(obj);
		vm_error("%s: out of memory", path);
		return -ENOMEM;
	}
	err = object_read(buf, size, path, name, &read_opts, &obj->file);
	if (!err)
		err = loader_link(obj);
	if (err) {
		bpfvm_object_close(obj);
		return err;
	}
	*obj_out = obj;
	return 0;
}

/* The kernel's rules for log attributes (bpfvm.h: the verifier's log). */
static int object_check_log_opts(const struct bpfvm_object_opts *opts, const char *fn)
{
	uint32_t known = BPFVM_LOG_LEVEL1 | BPFVM_LOG_LEVEL2 | BPFVM_LOG_STATS | BPFVM_LOG_FIXED;
	char *log_buf = OPTS_GET(opts, log_buf, NULL);
	size_t log_size = OPTS_GET(opts, log_size, 0);
	uint32_t log_level = OPTS_GET(opts, log_level, 0);

	if (!!log_buf != !!log_size || (log_buf && !log_level) || (log_level & ~known) ||
	    log_size > UINT32_MAX >> 2) {
		vm_error("%s: invalid log_buf, log_size or log_level", fn);
		return -EINVAL;
	}
	return 0;
}

static int object_check_args(struct bpfvm *vm, const void *what,
			     const struct bpfvm_object_opts *opts, struct bpfvm_object **obj_out,
			     const char *fn)
{
	if (!vm || !what || !obj_out) {
		vm_error("%s: NULL argument", fn);
		return -EINVAL;
	}
	if (!opts_valid(opts, sizeof(*opts))) {
		vm_error("%s: invalid opts (sz, or unknown fields set)", fn);
		return -EINVAL;
	}
	return object_check_log_opts(opts, fn);
}

/* An explicit object name: at most 15 characters, as libbpf's obj->name. */
static void object_explicit_name(const char *given, char name[16])
{
	snprintf(name, 16, "%s", given);
}

static int object_read_file(const char *path, void **buf_out, size_t *size_out)
{
	FILE *file = fopen(path, "rb");
	long size;
	void *buf;
	int err;

	if (!file) {
		err = -errno;
		vm_error("%s: cannot open: %s", path, strerror(errno));
		return err;
	}
	if (fseek(file, 0, SEEK_END) || (size = ftell(file)) < 0 || fseek(file, 0, SEEK_SET)) {
		fclose(file);
		vm_error("%s: cannot read", path);
		return -EIO;
	}
	buf = malloc(size ? (size_t)size : 1);
	if (!buf || fread(buf, 1, (size_t)size, file) != (size_t)size) {
		free(buf);
		fclose(file);
		vm_error("%s: cannot read", path);
		return buf ? -EIO : -ENOMEM;
	}
	fclose(file);
	*buf_out = buf;
	*size_out = (size_t)size;
	return 0;
}

int bpfvm_object_open(struct bpfvm *vm, const char *path, const struct bpfvm_object_opts *opts,
		      struct bpfvm_object **obj_out)
{
	const char *given = OPTS_GET(opts, object_name, NULL);
	char name[16];
	size_t size = 0;
	void *buf = NULL;
	int err = object_check_args(vm, path, opts, obj_out, "bpfvm_object_open");

	if (err)
		return err;
	err = object_read_file(path, &buf, &size);
	if (err)
		return err;
	if (given)
		object_explicit_name(given, name);
	else
		object_name_from_path(path, name);
	err = object_create(vm, buf, size, path, name, opts, obj_out);
	free(buf);
	return err;
}

int bpfvm_object_open_mem(struct bpfvm *vm, const void *buf, size_t size,
			  const struct bpfvm_object_opts *opts, struct bpfvm_object **obj_out)
{
	const char *given = OPTS_GET(opts, object_name, NULL);
	char path[40], name[16];
	int err = object_check_args(vm, buf, opts, obj_out, "bpfvm_object_open_mem");

	if (err)
		return err;
	if (given) {
		object_explicit_name(given, name);
		return object_create(vm, buf, size, given, name, opts, obj_out);
	}
	snprintf(path, sizeof(path), "%lx-%lx", (unsigned long)(uintptr_t)buf,
		 (unsigned long)size);
	object_name_from_path(path, name);
	return object_create(vm, buf, size, path, name, opts, obj_out);
}

int bpfvm_object_load(struct bpfvm_object *obj)
{
	if (!obj) {
		vm_error("bpfvm_object_load: NULL object");
		return -EINVAL;
	}
	return loader_load(obj);
}

void bpfvm_object_close(struct bpfvm_object *obj)
{
	if (!obj)
		return;
	vcpu_batch_begin(obj->vm);
	/* The maps first: a prog array whose last user is this object empties
	 * its slots, dropping their references to programs. A program that
	 * another holder keeps (a slot of another array, a caller) outlives
	 * the object. */
	for (uint32_t i = 0; obj->maps && i < obj->file->map_cnt; i++)
		map_put_user(obj->maps[i]);
	free(obj->maps);
	for (size_t i = 0; i < obj->prog_cnt; i++) {
		struct bpfvm_prog *prog = obj->progs[i].prog;

		if (prog)
			prog->obj = NULL;
		prog_put(prog);
		free(obj->progs[i].relocs);
	}
	vcpu_batch_end(obj->vm);
	for (uint32_t i = 0; obj->file && i < obj->file->map_cnt; i++) {
		if (obj->reuse)
			map_put_user(obj->reuse[i]);
		if (obj->pin_paths)
			free(obj->pin_paths[i]);
	}
	free(obj->reuse);
	free(obj->pin_paths);
	free(obj->pin_root_path);
	free(obj->progs);
	object_file_free(obj->file);
	free(obj);
}

const char *bpfvm_object_name(const struct bpfvm_object *obj)
{
	return obj->file->name;
}

const char *bpfvm_object_license(const struct bpfvm_object *obj)
{
	return obj->file->license;
}

size_t bpfvm_object_prog_cnt(const struct bpfvm_object *obj)
{
	return obj->prog_cnt;
}

struct bpfvm_prog *bpfvm_object_prog(const struct bpfvm_object *obj, size_t idx)
{
	return idx < obj->prog_cnt ? obj->progs[idx].prog : NULL;
}

struct bpfvm_prog *bpfvm_object_find_prog(const struct bpfvm_object *obj, const char *name)
{
	for (size_t i = 0; name && i < obj->prog_cnt; i++) {
		if (strcmp(obj->progs[i].prog->name, name) == 0)
			return obj->progs[i].prog;
	}
	return NULL;
}

size_t bpfvm_object_map_cnt(const struct bpfvm_object *obj)
{
	return obj->file->map_cnt;
}

struct bpfvm_map *bpfvm_object_map(const struct bpfvm_object *obj, size_t idx)
{
	return obj->maps && idx < obj->file->map_cnt ? obj->maps[idx] : NULL;
}

struct bpfvm_map *bpfvm_object_find_map(const struct bpfvm_object *obj, const char *name)
{
	int idx = name ? object_find_map(obj->file, name) : -1;

	return idx < 0 ? NULL : bpfvm_object_map(obj, (size_t)idx);
}

int bpfvm_object_map_index(const struct bpfvm_object *obj, const char *name)
{
	int idx = obj && name ? object_find_map(obj->file, name) : -1;

	if (idx < 0) {
		vm_error("%s: no map named '%s'", obj ? obj->file->path : "(null)",
			 name ? name : "(null)");
		return -ENOENT;
	}
	return idx;
}

/* The per-map array `*array` of obj (not NULL), allocated on first use. */
static int object_map_array(struct bpfvm_object *obj, size_t idx, void ***array, const char *fn)
{
	if (obj->load_attempted) {
		vm_error("%s: %s: the object's load was attempted", obj->file->path, fn);
		return -EBUSY;
	}
	if (idx >= obj->file->map_cnt) {
		vm_error("%s: %s: no map at index %zu", obj->file->path, fn, idx);
		return -ENOENT;
	}
	if (!*array && !(*array = calloc(obj->file->map_cnt, sizeof(void *)))) {
		vm_error("%s: out of memory", obj->file->path);
		return -ENOMEM;
	}
	return 0;
}

static int object_check_obj(const struct bpfvm_object *obj, const char *fn)
{
	if (obj)
		return 0;
	vm_error("%s: NULL object", fn);
	return -EINVAL;
}

int bpfvm_object_reuse_map(struct bpfvm_object *obj, size_t idx, struct bpfvm_map *map)
{
	int err = object_check_obj(obj, "bpfvm_object_reuse_map");

	if (!err)
		err = object_map_array(obj, idx, (void ***)&obj->reuse, "bpfvm_object_reuse_map");
	if (err)
		return err;
	if (map)
		map_get_user(map);
	map_put_user(obj->reuse[idx]);
	obj->reuse[idx] = map;
	return 0;
}

int bpfvm_object_set_pin_path(struct bpfvm_object *obj, size_t idx, const char *path)
{
	int err = object_check_obj(obj, "bpfvm_object_set_pin_path");
	char *copy = NULL;

	if (!err)
		err = object_map_array(obj, idx, (void ***)&obj->pin_paths,
				       "bpfvm_object_set_pin_path");
	if (err)
		return err;
	if (path && !(copy = strdup(path))) {
		vm_error("%s: out of memory", obj->file->path);
		return -ENOMEM;
	}
	free(obj->pin_paths[idx]);
	obj->pin_paths[idx] = copy;
	return 0;
}

int bpfvm_object_autoload_only(struct bpfvm_object *obj, struct bpfvm_prog *prog)
{
	if (!obj || !prog) {
		vm_error("bpfvm_object_autoload_only: NULL argument");
		return -EINVAL;
	}
	if (obj->load_attempted) {
		vm_error("%s: bpfvm_object_autoload_only: the object's load was attempted",
			 obj->file->path);
		return -EBUSY;
	}
	for (size_t i = 0; i < obj->prog_cnt; i++) {
		if (obj->progs[i].prog == prog) {
			loader_autoload_only(obj, i);
			return 0;
		}
	}
	vm_error("%s: bpfvm_object_autoload_only: program '%s' is not one of the object's",
		 obj->file->path, prog->name);
	return -EINVAL;
}

size_t bpfvm_object_note_cnt(const struct bpfvm_object *obj)
{
	return obj->file->note_cnt;
}

const char *bpfvm_object_note(const struct bpfvm_object *obj, size_t idx)
{
	return idx < obj->file->note_cnt ? obj->file->notes[idx] : NULL;
}
