/* BPF_MAP_TYPE_PROG_ARRAY: what the engine (tail calls) and the loader (the
 * owner rule) need from it. */
#ifndef BPFVM_MAPS_PROG_ARRAY_H
#define BPFVM_MAPS_PROG_ARRAY_H

#include <stdint.h>

#include "bpfvm/bpfvm.h"
#include "maps/fd_array.h"

struct bpfvm_map;

/* The program in slot `index`, or NULL when the index is out of range or
 * the slot is empty: one bounds check and one atomic load, for the run path
 * (SEMANTICS.md: tail calls, a chain in flight uses what the slot holds at
 * the moment of its tail call). */
static inline struct bpfvm_prog *prog_array_get(const struct bpfvm_map *map, uint32_t index)
{
	return fd_array_get(map, index);
}

/* The owner rule (SEMANTICS.md: PROG_ARRAY maps): the first program that
 * references the array or enters it becomes its owner, for good; every
 * later one must have the same program type and expected attach type.
 * Returns 0 (and makes `prog` the owner if there is none), or -EINVAL with
 * a message naming both types. The loader calls it for each program that
 * references the array; user updates call it for the program they insert. */
int prog_array_check_owner(struct bpfvm_map *map, const struct bpfvm_prog *prog);

/* Brings this process's slots of a shared array up to the ids other
 * processes wrote (ns/ns_prog_array.c calls it). */
void prog_array_sync(struct bpfvm_map *map);

#endif
