/* Map keys and values formatted by their BTF types, as bpftool's
 * btf_dumper prints them ("formatted" in -j output; the whole plain output
 * of maps that have BTF). */
#ifndef BPFVM_TOOLS_BTF_DUMPER_H
#define BPFVM_TOOLS_BTF_DUMPER_H

#include <stdint.h>

struct btf;
struct bpfvm_map;
struct cli_object;

/* A map's key and value types in its object's BTF (0: none). */
struct cli_map_btf {
	const struct btf *btf;
	uint32_t key_type;
	uint32_t value_type;
};

/* Finds `map`'s types in the BTF of the object it came from: a BTF-defined
 * map's `key` and `value` members, a global data map's DATASEC. Returns 0,
 * or -ENOENT when bpftool would have no BTF for it (no types, or a map type
 * for which libbpf drops them). */
int cli_map_btf_find(struct cli_object *co, const struct bpfvm_map *map, struct cli_map_btf *out);

/* Writes the value of type `type_id` at `data` to the JSON writer. */
void cli_btf_dump(const struct btf *btf, uint32_t type_id, const void *data);

#endif
