/* The map commands that work on the namespace itself: `map show` of every
 * map the namespace holds, `map create`, `map pin` (map_ns.c). */
#ifndef BPFVM_TOOLS_MAP_NS_H
#define BPFVM_TOOLS_MAP_NS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfvm/bpfvm.h"

struct bpfvm;
struct bpfvm_map;
struct bpfvm_map_info;
struct cli_object;

/* One map as bpftool's `map show` prints it (plain lines, or a JSON object
 * inside a document already begun): with -f its pins, and for a map private
 * to another process (pid) bpftool's "pids" line. */
void cli_map_show_info(struct bpfvm *vm, const struct bpfvm_map_info *info, int pid);

/* The pins of the namespace's object `id`, as bpftool's -f shows them:
 * "\tpinned PATH" lines, or (json) a "pinned" array inside a JSON object
 * already begun. Shared by `map show` and `prog show`. */
void cli_ns_print_pins(struct bpfvm *vm, uint32_t id, bool json);

/* The namespace's objects of one kind, by id: a malloc'ed array the
 * caller frees. Returns 0 or bpfvm_ns_list's negative errno. */
int cli_ns_entries(struct bpfvm *vm, enum bpfvm_ns_kind kind, struct bpfvm_ns_entry **items,
		   size_t *cnt);

/* map show / list without OBJ: every map of the namespace, by id. */
int cli_map_list_ns(struct cli_object *co);

/* map create FILE type T key K value V entries N name NAME [flags F] */
int cli_map_create(int argc, char **argv);

/* map pin MAP FILE, MAP already resolved: argv is "FILE". */
int cli_map_pin(struct bpfvm_map *map, int argc, char **argv);

#endif
