/* Global data: each non-empty .data*, .rodata* and .bss* section becomes a
 * single-entry ARRAY map (key 4 bytes, value the section's size), named as
 * libbpf's internal_map_name() names it:
 *
 *   ".data", ".rodata", ".bss", ".kconfig" (one dot): as much of the object
 *       name as fits before a suffix of at least 7 characters,
 *       "my_object_name" + ".rodata" -> "my_objec.rodata", + ".bss" ->
 *       "my_objec.bss";
 *   ".data.foo", ".rodata.str1.1" (two dots or more): the section name alone,
 *       truncated to 15 characters.
 *
 * Flags as libbpf's bpf_object__init_internal_map: BPF_F_RDONLY_PROG for
 * .rodata*, BPF_F_MMAPABLE when the section's DATASEC has a global
 * (non-static) variable. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <linux/btf.h>

#include "object/elf_reader.h"

#define OBJ_NAME_LEN 16 /* BPF_OBJ_NAME_LEN */

void reader_internal_map_name(const char *obj_name, const char *real_name,
			     char name[OBJ_NAME_LEN])
{
	size_t sfx_len = strlen(real_name) > 7 ? strlen(real_name) : 7, pfx_len;

	if (sfx_len >= OBJ_NAME_LEN)
		sfx_len = OBJ_NAME_LEN - 1;
	if (real_name[0] && strchr(real_name + 1, '.'))
		pfx_len = 0;
	else
		pfx_len = OBJ_NAME_LEN - sfx_len - 1 < strlen(obj_name)
				  ? OBJ_NAME_LEN - sfx_len - 1 : strlen(obj_name);
	snprintf(name, OBJ_NAME_LEN, "%.*s%.*s", (int)pfx_len, obj_name, (int)sfx_len,
		 real_name);
	for (char *p = name; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.')
			*p = '_';
	}
}

/* libbpf's map_is_mmapable(): a global variable in the section's DATASEC. */
static bool data_map_is_mmapable(const struct elf_reader *reader, const char *sec_name)
{
	int id;
	const struct btf_type *t;
	const struct btf_var_secinfo *vsi;

	if (!reader->btf)
		return false;
	id = btf__find_by_name(reader->btf, sec_name);
	t = id > 0 ? btf__type_by_id(reader->btf, (uint32_t)id) : NULL;
	if (!t || !btf_is_datasec(t))
		return false;
	vsi = btf_var_secinfos(t);
	for (uint16_t i = 0; i < btf_vlen(t); i++) {
		const struct btf_type *var = btf__type_by_id(reader->btf, vsi[i].type);

		if (var && btf_is_var(var) && btf_var(var)->linkage != BTF_VAR_STATIC)
			return true;
	}
	return false;
}

static int reader_add_data_map(struct elf_reader *reader, size_t idx, enum object_map_kind kind)
{
	const struct elf_sec *sec = &reader->secs[idx];
	char name[OBJ_NAME_LEN];
	struct object_map *map;

	if (sec->size > UINT32_MAX)
		return reader_error(reader, -E2BIG, "section '%s': %zu bytes of global data is too "
				    "large for a map value", sec->name, sec->size);
	map = reader_add_map(reader);
	if (!map)
		return -ENOMEM;
	reader_internal_map_name(reader->file->name, sec->name, name);
	map->name = strdup(name);
	map->real_name = strdup(sec->name);
	if (!map->name || !map->real_name)
		return reader_error(reader, -ENOMEM, "out of memory");
	map->kind = kind;
	map->sec_idx = (uint32_t)idx;
	if (kind != OBJECT_MAP_BSS) {
		map->data = malloc(sec->size);
		if (!map->data)
			return reader_error(reader, -ENOMEM, "out of memory");
		memcpy(map->data, sec->data, sec->size);
	}
	map->def.type = BPF_MAP_TYPE_ARRAY;
	map->def.key_size = sizeof(int);
	map->def.value_size = (uint32_t)sec->size;
	map->def.max_entries = 1;
	map->def.map_flags = kind == OBJECT_MAP_RODATA ? BPF_F_RDONLY_PROG : 0;
	if (data_map_is_mmapable(reader, sec->name))
		map->def.map_flags |= BPF_F_MMAPABLE;
	return 0;
}

int reader_collect_data_maps(struct elf_reader *reader)
{
	for (size_t idx = 1; idx < reader->sec_cnt; idx++) {
		const struct elf_sec *sec = &reader->secs[idx];
		int err = 0;

		if (sec->size == 0)
			continue;
		if (sec->kind == ELF_SEC_DATA)
			err = reader_add_data_map(reader, idx, OBJECT_MAP_DATA);
		else if (sec->kind == ELF_SEC_RODATA)
			err = reader_add_data_map(reader, idx, OBJECT_MAP_RODATA);
		else if (sec->kind == ELF_SEC_BSS)
			err = reader_add_data_map(reader, idx, OBJECT_MAP_BSS);
		if (err)
			return err;
	}
	return 0;
}
