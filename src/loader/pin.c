/* Maps reused at load, and pinned, as libbpf does (bpf_object__create_maps):
 *
 *   a map given a handle (bpfvm_object_reuse_map, libbpf's
 *   bpf_map__reuse_fd)            ─► that map, after the compatibility check
 *   a map with a pin path (bpfvm_object_set_pin_path, or
 *   __uint(pinning, LIBBPF_PIN_BY_NAME): <pin root>/<name>)
 *       something pinned there    ─► reused after the compatibility check
 *       nothing there (ENOENT)    ─► created, filled, then pinned there
 *
 * The check is libbpf's map_is_reuse_compat (type, key_size, value_size,
 * max_entries, map_flags); a mismatch fails the load with -EINVAL and the
 * message libbpf prints ("couldn't reuse pinned map at '...': parameter
 * mismatch") followed by the field: never a second map. A reused map is not
 * filled with the object's initial values, as in libbpf.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/runtime.h"
#include "loader/loader.h"
#include "maps/map.h"

static uint32_t pin_field_value(const struct map_region *region, const char *field)
{
	return strcmp(field, "type") == 0	  ? region->type
	       : strcmp(field, "key_size") == 0	  ? region->key_size
	       : strcmp(field, "value_size") == 0 ? region->value_size
	       : strcmp(field, "max_entries") == 0 ? region->max_entries
						  : region->map_flags;
}

static uint32_t pin_attr_value(const struct map_attr *attr, const char *field)
{
	return strcmp(field, "type") == 0	  ? attr->type
	       : strcmp(field, "key_size") == 0	  ? attr->key_size
	       : strcmp(field, "value_size") == 0 ? attr->value_size
	       : strcmp(field, "max_entries") == 0 ? attr->max_entries
						  : attr->map_flags;
}

static int pin_check_compat(const struct bpfvm_object *obj, uint32_t idx,
			    const struct bpfvm_map *map, const char *source)
{
	const struct object_map *m = &obj->file->maps[idx];
	const char *mismatch;
	struct map_attr attr;

	if (map->vm != obj->vm) {
		vm_error("%s: map '%s': couldn't reuse %s: a map of another runtime",
			 obj->file->path, m->name, source);
		return -EINVAL;
	}
	if (map->view) {
		vm_error("%s: map '%s': couldn't reuse %s: it was opened read-only",
			 obj->file->path, m->name, source);
		return -EPERM;
	}
	loader_map_attr(obj, m->name, &m->def, &attr);
	if (map_attr_matches(map, &attr, &mismatch))
		return 0;
	vm_error("%s: map '%s': couldn't reuse %s: parameter mismatch: %s (%u there, %u in the "
		 "object)", obj->file->path, m->name, source, mismatch,
		 pin_field_value(map->region, mismatch), pin_attr_value(&attr, mismatch));
	return -EINVAL;
}

/* The pin path of map idx: set by the caller, or by LIBBPF_PIN_BY_NAME. */
static int pin_path_of(const struct bpfvm_object *obj, uint32_t idx, char *buf, size_t size)
{
	const struct object_map *m = &obj->file->maps[idx];
	const char *root = obj->pin_root_path ? obj->pin_root_path : bpfvm_ns_root(obj->vm);
	int len;

	if (obj->pin_paths && obj->pin_paths[idx])
		len = snprintf(buf, size, "%s", obj->pin_paths[idx]);
	else if (m->def.pinning == OBJECT_PIN_BY_NAME && obj->vm->ns)
		len = snprintf(buf, size, "%s/%s", root, m->name);
	else
		return 0;
	if (len < 0 || (size_t)len >= size) {
		vm_error("%s: map '%s': pin path too long", obj->file->path, m->name);
		return -ENAMETOOLONG;
	}
	return 1;
}

int loader_map_reuse(struct bpfvm_object *obj, uint32_t idx, bool *reused)
{
	const struct object_map *m = &obj->file->maps[idx];
	struct bpfvm_map *given = obj->reuse ? obj->reuse[idx] : NULL;
	char path[PATH_MAX], source[PATH_MAX + 32];
	struct bpfvm_map *map = NULL;
	int err;

	*reused = false;
	if (given) {
		err = pin_check_compat(obj, idx, given, "the given map");
		if (err)
			return err;
		map_get_user(given);
		obj->maps[idx] = given;
		*reused = true;
		return 0;
	}
	err = pin_path_of(obj, idx, path, sizeof(path));
	if (err <= 0)
		return err;
	err = bpfvm_map_get_by_pin(obj->vm, path, NULL, &map);
	if (err == -ENOENT)
		return 0;
	if (err) {
		char lower[512];

		snprintf(lower, sizeof(lower), "%s", bpfvm_errmsg());
		vm_error("%s: map '%s': couldn't reuse pinned map at '%s': %s", obj->file->path,
			 m->name, path, lower);
		return err;
	}
	snprintf(source, sizeof(source), "pinned map at '%s'", path);
	err = pin_check_compat(obj, idx, map, source);
	if (err) {
		map_put_user(map);
		return err;
	}
	obj->maps[idx] = map;
	*reused = true;
	return 0;
}

int loader_map_pin(struct bpfvm_object *obj, uint32_t idx)
{
	const struct object_map *m = &obj->file->maps[idx];
	char path[PATH_MAX], lower[512];
	int err = pin_path_of(obj, idx, path, sizeof(path));

	if (err <= 0)
		return err;
	err = bpfvm_map_pin(obj->maps[idx], path);
	if (err) {
		snprintf(lower, sizeof(lower), "%s", bpfvm_errmsg());
		vm_error("%s: map '%s': failed to pin at '%s': %s", obj->file->path, m->name, path,
			 lower);
		return err;
	}
	return 1;
}

void loader_map_unpin(struct bpfvm_object *obj, uint32_t idx)
{
	char path[PATH_MAX];

	if (pin_path_of(obj, idx, path, sizeof(path)) > 0)
		bpfvm_obj_unpin(obj->vm, path);
}
