/* Statically initialised prog arrays and map-in-maps: relocations of the
 * .maps section (".rel.maps"), as libbpf's bpf_object__collect_map_relos.
 *
 *   struct { ...; __array(values, int (void *)); } jmp SEC(".maps") =
 *           { .values = { [2] = &prog_b } };
 *
 *   .maps:  | jmp's definition ... | values[0] | values[1] | values[2] |
 *                                  ^ btf_values_off        ^ r_offset: a relocation
 *                                                            against prog_b
 *
 * Slot = (r_offset - variable offset - btf_values_off) / 8 (BPF pointers are
 * 8 bytes). The target is an entry-point program (prog array) or another
 * BTF-defined map (map-in-map), found by the symbol's name. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "object/elf_reader.h"

#define BPF_PTR_SIZE 8

static struct object_map *slot_owner(const struct elf_reader *reader, uint64_t offset)
{
	for (uint32_t i = 0; i < reader->file->map_cnt; i++) {
		struct object_map *map = &reader->file->maps[i];

		if (map->kind == OBJECT_MAP_BTF && map->btf_var_off <= offset &&
		    offset + BPF_PTR_SIZE <= (uint64_t)map->btf_var_off + map->btf_var_size)
			return map;
	}
	return NULL;
}

static int slot_target_prog(struct elf_reader *reader, const Elf64_Sym *sym, const char *name,
			    uint32_t *target)
{
	int idx = object_find_prog(reader->file, name);
	const struct object_prog *prog;

	if (idx < 0)
		return reader_error(reader, -ESRCH, "section '.maps': relocation against '%s': not "
				    "a program of this object", name);
	prog = &reader->file->progs[idx];
	if (prog->sec_idx != sym->st_shndx ||
	    (uint64_t)prog->sec_insn_off * sizeof(struct bpf_insn) != sym->st_value)
		return reader_error(reader, -EINVAL, "section '.maps': relocation against '%s': "
				    "not an entry-point program", name);
	*target = (uint32_t)idx;
	return 0;
}

static int slot_target_map(struct elf_reader *reader, const struct object_map *map,
			   const Elf64_Sym *sym, const char *name, uint32_t *target)
{
	int idx;

	if (sym->st_shndx != reader->btf_maps_idx)
		return reader_error(reader, -EINVAL, "section '.maps': map '%s': '%s' is not a "
				    "BTF-defined map", map->name, name);
	if (map->def.type == BPF_MAP_TYPE_HASH_OF_MAPS && map->def.key_size != sizeof(int))
		return reader_error(reader, -EINVAL, "section '.maps': hash-of-maps '%s' must have "
				    "4-byte keys to be initialised statically", map->name);
	idx = object_find_map(reader->file, name);
	if (idx < 0 || reader->file->maps[idx].kind != OBJECT_MAP_BTF)
		return reader_error(reader, -ESRCH, "section '.maps': map '%s': '%s' is not a "
				    "valid map reference", map->name, name);
	*target = (uint32_t)idx;
	return 0;
}

static int slot_add(struct elf_reader *reader, struct object_map *map, uint32_t index,
		    uint32_t target)
{
	struct object_slot *slots;

	for (uint32_t i = 0; i < map->slot_cnt; i++) {
		if (map->slots[i].index == index) {
			map->slots[i].target = target;
			return 0;
		}
	}
	slots = realloc(map->slots, (map->slot_cnt + 1) * sizeof(*slots));
	if (!slots)
		return reader_error(reader, -ENOMEM, "out of memory");
	map->slots = slots;
	slots[map->slot_cnt].index = index;
	slots[map->slot_cnt].target = target;
	map->slot_cnt++;
	return 0;
}

static int slot_from_rel(struct elf_reader *reader, const Elf64_Rel *rel, size_t i)
{
	const Elf64_Sym *sym = reader_sym(reader, ELF64_R_SYM(rel->r_info));
	struct object_map *map;
	const char *name;
	uint32_t target = 0;
	uint64_t moff;
	int err;

	if (!sym)
		return reader_error(reader, -EINVAL, "section '.rel.maps': relocation #%zu: symbol "
				    "#%llu not found", i, (unsigned long long)ELF64_R_SYM(rel->r_info));
	name = reader_sym_display_name(reader, sym);
	map = slot_owner(reader, rel->r_offset);
	if (!map)
		return reader_error(reader, -EINVAL, "section '.rel.maps': relocation against '%s' "
				    "at offset %llu: no map there", name,
				    (unsigned long long)rel->r_offset);
	if (!map->btf_values_off || rel->r_offset - map->btf_var_off < map->btf_values_off)
		return reader_error(reader, -EINVAL, "section '.maps': map '%s': relocation "
				    "against '%s' outside its 'values'", map->name, name);
	moff = rel->r_offset - map->btf_var_off - map->btf_values_off;
	if (moff % BPF_PTR_SIZE || moff / BPF_PTR_SIZE >= map->def.max_entries)
		return reader_error(reader, -EINVAL, "section '.maps': map '%s': relocation "
				    "against '%s' at a bad slot offset %llu", map->name, name,
				    (unsigned long long)moff);
	if (map->def.type == BPF_MAP_TYPE_PROG_ARRAY)
		err = slot_target_prog(reader, sym, name, &target);
	else if (map->has_inner)
		err = slot_target_map(reader, map, sym, name, &target);
	else
		return reader_error(reader, -EINVAL, "section '.maps': map '%s': initial values "
				    "for a map that is neither a prog array nor a map-in-map", map->name);
	return err ? err : slot_add(reader, map, (uint32_t)(moff / BPF_PTR_SIZE), target);
}

int reader_collect_map_slots(struct elf_reader *reader)
{
	for (size_t idx = 1; idx < reader->sec_cnt; idx++) {
		const struct elf_sec *sec = &reader->secs[idx];

		if (sec->kind != ELF_SEC_RELO || !reader->btf_maps_idx ||
		    sec->shdr.sh_info != reader->btf_maps_idx)
			continue;
		for (size_t i = 0; i < sec->size / sizeof(Elf64_Rel); i++) {
			Elf64_Rel rel = reader_rel(sec, i);
			int err = slot_from_rel(reader, &rel, i);

			if (err)
				return err;
		}
	}
	return 0;
}
