/* The inner-map template of maps of maps (see map_in_map.h). */
#include <errno.h>

#include "core/error.h"
#include "core/runtime.h"
#include "maps/map_in_map.h"

static bool map_in_map_is_outer_type(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

int map_in_map_check_template(const struct map_attr *attr)
{
	const struct bpfvm_map *inner = attr->inner_map;

	if (!inner) {
		vm_error("map '%.16s': a map of maps needs an inner map as its template",
			 attr->name);
		return -EINVAL;
	}
	if (map_in_map_is_outer_type(map_type(inner))) {
		vm_error("map '%.16s': the inner map '%.16s' is itself a map of maps (one level "
			 "only)", attr->name, inner->region->name);
		return -EINVAL;
	}
	/* The kernel's map types without map_meta_equal; of bpfvm's, only
	 * PROG_ARRAY (its owner rule cannot follow it into maps of maps). */
	if (map_type(inner) == BPF_MAP_TYPE_PROG_ARRAY) {
		vm_error("map '%.16s': a prog array cannot be an inner map", attr->name);
		return -MAP_ENOTSUPP;
	}
	return 0;
}

/* The kernel's map_meta_equal for the template's type: ARRAY's
 * array_map_meta_equal compares max_entries unless the template has
 * BPF_F_INNER_MAP; bpf_map_meta_equal (every other type, PERCPU_ARRAY
 * included: observed on Linux 6.18) does not. */
static const char *map_in_map_mismatch(const struct map_region *template,
				       const struct map_region *inner)
{
	bool array_rule = template->inner_type == BPF_MAP_TYPE_ARRAY;

	if (inner->type != template->inner_type)
		return "type";
	if (inner->key_size != template->inner_key_size)
		return "key_size";
	if (inner->value_size != template->inner_value_size)
		return "value_size";
	if (inner->map_flags != template->inner_map_flags)
		return "map_flags";
	/* btf_record_equal: the same special fields at the same places. */
	if (inner->spin_lock_off != template->inner_spin_lock_off)
		return "bpf_spin_lock";
	if (array_rule && !(template->inner_map_flags & BPF_F_INNER_MAP) &&
	    inner->max_entries != template->inner_max_entries)
		return "max_entries";
	return NULL;
}

int map_in_map_get_inner(struct bpfvm_map *outer, uint32_t id, struct bpfvm_map **inner_out)
{
	struct bpfvm_map *inner = id_table_find(&outer->vm->map_ids, id);
	const char *mismatch;

	if (!inner) {
		vm_error("map '%.16s': no map with id %u", outer->region->name, id);
		return -EBADF;
	}
	mismatch = map_in_map_mismatch(outer->region, inner->region);
	if (mismatch) {
		vm_error("map '%.16s': map '%.16s' (id %u) does not match the inner map template: "
			 "%s differs", outer->region->name, inner->region->name, id, mismatch);
		return -EINVAL;
	}
	map_get(inner);
	*inner_out = inner;
	return 0;
}

void map_in_map_put_inner(void *inner)
{
	map_put(inner);
}
