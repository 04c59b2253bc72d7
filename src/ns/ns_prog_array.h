/* Shared prog arrays (docs/namespace.md, "Shared prog arrays"): a PROG_ARRAY
 * of a namespace lives in its file like any shared map, and holds program
 * ids (maps/fd_array.h). Each process runs its own instances of those
 * programs from its own slots, which must follow what other processes
 * write:
 *
 *   - every write of a shared array's ids bumps one counter in the
 *     registry (ns_prog_array_changed);
 *   - before a run, a process compares it with the value its slots were
 *     brought to: one load and a compare when nothing changed; otherwise
 *     it brings the slots of each of its shared arrays up to date
 *     (prog_array_sync: resolve changed ids to instances, made once).
 *
 * A tail call then costs what it costs with a private array: the engines
 * read the same slots (and the JIT's direct jumps are re-pointed the same
 * way). A run sees a slot as it was at its start or later, never a program
 * that was not in the slot at some moment. */
#ifndef BPFVM_NS_NS_PROG_ARRAY_H
#define BPFVM_NS_NS_PROG_ARRAY_H

#include "bpfvm/bpfvm.h"

struct bpfvm_map;
struct ns;

/* This process's shared arrays, whose slots ns_prog_arrays_sync updates. */
int ns_prog_array_add(struct bpfvm_map *map);
void ns_prog_array_remove(struct bpfvm_map *map);

/* A shared array's ids were written. */
void ns_prog_array_changed(struct ns *ns);

/* Before a run of a namespaced runtime: brings this process's shared
 * arrays up to date if any was written since the last time. */
void ns_prog_arrays_sync(struct bpfvm *vm);

#endif
