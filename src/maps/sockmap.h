/* What the sockmap helpers ask of a SOCKMAP or SOCKHASH (sockmap.c). */
#ifndef BPFVM_MAPS_SOCKMAP_H
#define BPFVM_MAPS_SOCKMAP_H

#include <stdbool.h>

#include "maps/map.h"

/* Whether `key` names a socket in the SOCKMAP or SOCKHASH `map`: the
 * kernel's __sock_map_lookup_elem / __sock_hash_lookup_elem found one. */
bool sockmap_holds(struct bpfvm_map *map, const void *key);

#endif
