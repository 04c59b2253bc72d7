/* Maps of maps (ARRAY_OF_MAPS, HASH_OF_MAPS): the inner-map template, as the
 * kernel's kernel/bpf/map_in_map.c keeps it. The template is the inner map
 * given at creation; its type, sizes and flags are stored in the outer map's
 * region header (inner_*), and every map stored later must match them. */
#ifndef BPFVM_MAPS_MAP_IN_MAP_H
#define BPFVM_MAPS_MAP_IN_MAP_H

#include <stdint.h>

#include "maps/map.h"

/* bpf_map_meta_alloc's checks at creation: a template is given (-EINVAL),
 * it is not itself a map of maps (-EINVAL), its type can be an inner map
 * (-ENOTSUPP, 524, for PROG_ARRAY). Messages name the outer map. */
int map_in_map_check_template(const struct map_attr *attr);

/* Resolves the id user space stores into an outer map: -EBADF for an
 * unknown id, -EINVAL when the map does not match the template (type,
 * key_size, value_size, map_flags; max_entries too for ARRAY templates
 * without BPF_F_INNER_MAP). Takes a reference. */
int map_in_map_get_inner(struct bpfvm_map *outer, uint32_t id, struct bpfvm_map **inner);

/* Drops the reference map_in_map_get_inner took. */
void map_in_map_put_inner(void *inner);

#endif
