/* Kconfig externs (`extern int LINUX_KERNEL_VERSION __kconfig;`): VARs of
 * the BTF DATASEC .kconfig, as libbpf's bpf_object__collect_externs and
 * bpf_object__init_kconfig_map lay them out:
 *
 *   - the type must be bool, a 1, 2, 4 or 8-byte integer, enum
 *     libbpf_tristate or a char array; anything else is refused;
 *   - they are sorted by alignment (largest first), then size (smallest
 *     first), then name, and placed one after the other at their alignment;
 *   - one ARRAY map, named as global data is ("<obj>.kconfig"), holds them
 *     all: one entry, the value as long as the last extern's end,
 *     BPF_F_RDONLY_PROG | BPF_F_MMAPABLE, frozen once filled (the loader);
 *   - an lddw of an extern loads the address of its place in that value.
 *
 * The values are resolved when the object is read (kconfig_values.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "object/elf_reader.h"

/* libbpf's find_kcfg_type(); -1 for a type it does not support. */
static int kcfg_type_of(const struct btf *btf, uint32_t id, bool *is_signed)
{
	const struct btf_type *t = reader_btf_skip_mods(btf, id);
	const char *name = t ? btf__name_by_offset(btf, t->name_off) : NULL;

	*is_signed = false;
	if (!t)
		return -1;
	if (btf_is_int(t)) {
		int enc = btf_int_encoding(t);

		if (enc & BTF_INT_BOOL)
			return t->size == 1 ? KCFG_BOOL : -1;
		*is_signed = (enc & BTF_INT_SIGNED) != 0;
		if (t->size == 1)
			return KCFG_CHAR;
		if (t->size < 1 || t->size > 8 || (t->size & (t->size - 1)))
			return -1;
		return KCFG_INT;
	}
	if (btf_is_enum(t) || btf_is_enum64(t)) {
		/* Written as 4 bytes (kconfig_values.c), whatever the kind:
		 * an ENUM64 of another size would overrun the extern. */
		if (t->size != 4 || !name ||
		    strcmp(name, "libbpf_tristate") != 0)
			return -1;
		return KCFG_TRISTATE;
	}
	if (btf_is_array(t)) {
		/* Of 1-byte integers (not bool): libbpf's KCFG_CHAR elements. */
		const struct btf_type *elem = reader_btf_skip_mods(btf, btf_array(t)->type);

		if (btf_array(t)->nelems == 0 || !elem || !btf_is_int(elem) || elem->size != 1 ||
		    (btf_int_encoding(elem) & BTF_INT_BOOL))
			return -1;
		return KCFG_CHAR_ARR;
	}
	return -1;
}

int reader_add_kconfig_extern(struct elf_reader *reader, const char *name,
			      const struct btf_type *var, bool is_weak)
{
	struct reader_kcfg *kcfg, *ext;
	long long size;
	int align, type;
	bool is_signed;

	if (reader_find_kconfig(reader, name))
		return 0;
	if (!btf_is_var(var))
		return reader_error(reader, -EINVAL, "section '.kconfig': extern '%s' is not a "
				    "variable in the BTF", name);
	size = btf__resolve_size(reader->btf, var->type);
	align = btf__align_of(reader->btf, var->type);
	if (size <= 0 || size > UINT32_MAX)
		return reader_error(reader, -EINVAL, "failed to resolve size of extern (kcfg) "
				    "'%s': %lld", name, size);
	if (align <= 0)
		return reader_error(reader, -EINVAL, "failed to determine alignment of extern "
				    "(kcfg) '%s': %d", name, align);
	type = kcfg_type_of(reader->btf, var->type, &is_signed);
	if (type < 0)
		return reader_error(reader, -ENOTSUP, "extern (kcfg) '%s': type is unsupported",
				    name);
	kcfg = realloc(reader->kcfg, (reader->kcfg_cnt + 1) * sizeof(*kcfg));
	if (!kcfg)
		return reader_error(reader, -ENOMEM, "out of memory");
	reader->kcfg = kcfg;
	ext = &kcfg[reader->kcfg_cnt++];
	*ext = (struct reader_kcfg){ .name = name, .is_weak = is_weak, .is_signed = is_signed,
				     .type = (enum reader_kcfg_type)type, .size = (uint32_t)size,
				     .align = (uint32_t)align };
	return 0;
}

const struct reader_kcfg *reader_find_kconfig(const struct elf_reader *reader, const char *name)
{
	for (uint32_t i = 0; i < reader->kcfg_cnt; i++)
		if (strcmp(reader->kcfg[i].name, name) == 0)
			return &reader->kcfg[i];
	return NULL;
}

/* libbpf's cmp_externs() for Kconfig externs. */
static int kcfg_cmp(const void *pa, const void *pb)
{
	const struct reader_kcfg *a = pa, *b = pb;

	if (a->align != b->align)
		return a->align > b->align ? -1 : 1;
	if (a->size != b->size)
		return a->size < b->size ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* Offsets in libbpf's order; the value's size. */
static uint64_t kcfg_layout(struct elf_reader *reader)
{
	uint64_t off = 0;

	qsort(reader->kcfg, reader->kcfg_cnt, sizeof(*reader->kcfg), kcfg_cmp);
	for (uint32_t i = 0; i < reader->kcfg_cnt; i++) {
		struct reader_kcfg *ext = &reader->kcfg[i];

		off = (off + ext->align - 1) / ext->align * ext->align;
		ext->data_off = (uint32_t)off;
		off += ext->size;
	}
	return off;
}

int reader_collect_kconfig(struct elf_reader *reader)
{
	char name[16];
	struct object_map *map;
	uint64_t size;

	if (reader->kcfg_cnt == 0)
		return 0;
	size = kcfg_layout(reader);
	if (size > UINT32_MAX)
		return reader_error(reader, -E2BIG, "section '.kconfig': %llu bytes of externs "
				    "is too large for a map value", (unsigned long long)size);
	map = reader_add_map(reader);
	if (!map)
		return -ENOMEM;
	reader->kcfg_map_idx = reader->file->map_cnt - 1;
	reader_internal_map_name(reader->file->name, ".kconfig", name);
	map->name = strdup(name);
	map->real_name = strdup(".kconfig");
	map->data = calloc(1, size);
	if (!map->name || !map->real_name || !map->data)
		return reader_error(reader, -ENOMEM, "out of memory");
	map->kind = OBJECT_MAP_KCONFIG;
	map->def.type = BPF_MAP_TYPE_ARRAY;
	map->def.key_size = sizeof(int);
	map->def.value_size = (uint32_t)size;
	map->def.max_entries = 1;
	/* Every extern is a global variable: libbpf's map_is_mmapable(). */
	map->def.map_flags = BPF_F_RDONLY_PROG | BPF_F_MMAPABLE;
	return reader_resolve_kconfig(reader, map->data);
}
