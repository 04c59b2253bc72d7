/* The legacy "maps" section: an array of struct bpf_map_def, one per global
 * symbol, as libbpf 0.x read it (bpf_object__init_user_maps). libbpf 1.x
 * refuses the section; bpfvm still reads it, since older objects use it.
 *
 *   SEC("maps") struct bpf_map_def m = { type, key_size, value_size,
 *                                        max_entries, map_flags };
 *
 * All definitions have the same size: the section's size over the number of
 * map symbols. A larger definition (iproute2's, with pinning fields) is
 * accepted when its extra bytes are zero, as libbpf did. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "object/elf_reader.h"

struct legacy_map_def {
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
};

static bool legacy_sym_is_map(const struct elf_reader *reader, const Elf64_Sym *sym)
{
	return sym->st_shndx == reader->maps_idx && ELF64_ST_TYPE(sym->st_info) != STT_SECTION &&
	       ELF64_ST_TYPE(sym->st_info) != STT_FILE;
}

static int reader_add_legacy_map(struct elf_reader *reader, const Elf64_Sym *sym,
				 size_t def_size)
{
	const struct elf_sec *sec = &reader->secs[reader->maps_idx];
	const char *name = reader_sym_name(reader, sym);
	struct legacy_map_def def = { 0 };
	struct object_map *map;

	if (!name || !name[0])
		return reader_error(reader, -EINVAL, "section 'maps': map symbol without a name");
	if (ELF64_ST_BIND(sym->st_info) == STB_LOCAL)
		return reader_error(reader, -ENOTSUP, "section 'maps': map '%s': static maps are "
				    "not supported, as in libbpf", name);
	if (sym->st_value > sec->size || def_size > sec->size - sym->st_value)
		return reader_error(reader, -EINVAL, "section 'maps': map '%s' at offset %llu "
				    "crosses the section's end", name,
				    (unsigned long long)sym->st_value);
	const uint8_t *bytes = (const uint8_t *)sec->data + sym->st_value;

	memcpy(&def, bytes, def_size < sizeof(def) ? def_size : sizeof(def));
	for (size_t i = sizeof(def); i < def_size; i++) {
		if (bytes[i])
			return reader_error(reader, -EINVAL, "section 'maps': map '%s' has "
					    "unrecognized, non-zero options", name);
	}
	map = reader_add_map(reader);
	if (!map)
		return -ENOMEM;
	map->name = strdup(name);
	map->real_name = strdup(name);
	if (!map->name || !map->real_name)
		return reader_error(reader, -ENOMEM, "out of memory");
	map->kind = OBJECT_MAP_LEGACY;
	map->sec_idx = (uint32_t)reader->maps_idx;
	map->sec_offset = sym->st_value;
	map->def.type = def.type;
	map->def.key_size = def.key_size;
	map->def.value_size = def.value_size;
	map->def.max_entries = def.max_entries;
	map->def.map_flags = def.map_flags;
	return 0;
}

static int legacy_map_order(const void *a, const void *b)
{
	const struct object_map *x = a, *y = b;

	return x->sec_offset < y->sec_offset ? -1 : x->sec_offset > y->sec_offset;
}

int reader_collect_legacy_maps(struct elf_reader *reader)
{
	const struct elf_sec *sec;
	size_t nr_maps = 0, def_size;
	int err;

	if (!reader->maps_idx)
		return 0;
	sec = &reader->secs[reader->maps_idx];
	for (size_t i = 0; i < reader->sym_cnt; i++)
		nr_maps += legacy_sym_is_map(reader, &reader->syms[i]);
	if (nr_maps == 0 || !sec->data || sec->size % nr_maps)
		return reader_error(reader, -EINVAL, "section 'maps': cannot determine the size "
				    "of a map definition (%zu bytes, %zu maps)", sec->size, nr_maps);
	def_size = sec->size / nr_maps;
	if (def_size < 4 * sizeof(uint32_t))
		return reader_error(reader, -EINVAL, "section 'maps': map definitions of %zu "
				    "bytes are too small", def_size);
	for (size_t i = 0; i < reader->sym_cnt; i++) {
		if (!legacy_sym_is_map(reader, &reader->syms[i]))
			continue;
		err = reader_add_legacy_map(reader, &reader->syms[i], def_size);
		if (err)
			return err;
	}
	qsort(reader->file->maps, reader->file->map_cnt, sizeof(*reader->file->maps),
	      legacy_map_order);
	for (uint32_t i = 1; i < reader->file->map_cnt; i++) {
		if (reader->file->maps[i].sec_offset == reader->file->maps[i - 1].sec_offset)
			return reader_error(reader, -EINVAL, "section 'maps': maps '%s' and '%s' "
					    "share offset %llu", reader->file->maps[i - 1].name,
					    reader->file->maps[i].name,
					    (unsigned long long)reader->file->maps[i].sec_offset);
	}
	return 0;
}
