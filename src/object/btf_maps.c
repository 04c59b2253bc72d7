/* BTF-defined maps: the variables of the ".maps" DATASEC, each a struct whose
 * members describe the map through their types, as libbpf's
 * bpf_object__init_user_btf_maps / parse_btf_map_def read them:
 *
 *   __uint(name, N)         int (*name)[N]          the number N
 *   __type(name, T)         typeof(T) *name         sizeof(T), via BTF
 *   __array(name, T)        typeof(T) *name[]       inner map / prog array
 *
 *   struct {
 *       __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);   type, max_entries, map_flags,
 *       __uint(max_entries, 4);                     key_size / key, value_size /
 *       __type(key, u32);                           value, pinning, numa_node,
 *       __array(values, struct inner_def);          map_extra, values (last)
 *   } outer SEC(".maps") = { .values = { [1] = &inner } };
 *
 * Unknown members are refused (libbpf's strict mode, the default). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <linux/btf.h>

#include "object/elf_reader.h"

#define BTF_MAX_MODS 32 /* longer chains of typedefs/modifiers are a loop */

const struct btf_type *reader_btf_skip_mods(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	for (int depth = 0; t && (btf_is_mod(t) || btf_is_typedef(t)); depth++) {
		if (depth == BTF_MAX_MODS)
			return NULL;
		t = btf__type_by_id(btf, t->type);
	}
	return t;
}

struct btf_map_ctx {
	struct elf_reader *reader;
	const char *map_name;
	bool is_inner;
	struct object_map_def *def;
	struct object_map_def *inner; /* NULL when parsing an inner map */
	bool *has_inner;
	uint32_t values_off;
};

static int btf_map_error(const struct btf_map_ctx *ctx, int err, const char *what,
			 const char *field)
{
	return reader_error(ctx->reader, err, "section '.maps': map '%s': %s '%s'", ctx->map_name,
			    what, field);
}

/* __uint(field, N): a pointer to an array of N elements. */
static int btf_map_field_int(const struct btf_map_ctx *ctx, const struct btf_member *m,
			     const char *field, uint32_t *value)
{
	const struct btf *btf = ctx->reader->btf;
	const struct btf_type *t = reader_btf_skip_mods(btf, m->type), *arr;

	if (!t || !btf_is_ptr(t))
		return btf_map_error(ctx, -EINVAL, "expected a pointer to an array in", field);
	arr = btf__type_by_id(btf, t->type);
	if (!arr || !btf_is_array(arr))
		return btf_map_error(ctx, -EINVAL, "expected a pointer to an array in", field);
	*value = btf_array(arr)->nelems;
	return 0;
}

/* __type(field, T): a pointer to T, whose size is the key or value size. */
static int btf_map_field_size(const struct btf_map_ctx *ctx, const struct btf_member *m,
			      const char *field, uint32_t *size)
{
	const struct btf *btf = ctx->reader->btf;
	const struct btf_type *t = btf__type_by_id(btf, m->type);
	long long sz;

	if (!t || !btf_is_ptr(t))
		return btf_map_error(ctx, -EINVAL, "expected a pointer type in", field);
	sz = btf__resolve_size(btf, t->type);
	if (sz < 0 || sz > UINT32_MAX)
		return btf_map_error(ctx, -EINVAL, "cannot determine the size of the type of",
				     field);
	if (*size && *size != (uint32_t)sz) {
		return reader_error(ctx->reader, -EINVAL, "section '.maps': map '%s': conflicting "
				    "%s size %u != %lld", ctx->map_name, field, *size, sz);
	}
	*size = (uint32_t)sz;
	return 0;
}

static int btf_map_field_explicit_size(const struct btf_map_ctx *ctx, const struct btf_member *m,
				       const char *field, uint32_t *size)
{
	uint32_t sz;
	int err = btf_map_field_int(ctx, m, field, &sz);

	if (err)
		return err;
	if (*size && *size != sz)
		return reader_error(ctx->reader, -EINVAL, "section '.maps': map '%s': conflicting "
				    "%s %u != %u", ctx->map_name, field, *size, sz);
	*size = sz;
	return 0;
}

static int parse_btf_map_def(struct btf_map_ctx *ctx, const struct btf_type *def);

/* __array(values, ...): the inner map of a map-in-map, or the program
 * prototype of a prog array. Must be the last member. */
static int btf_map_field_values(struct btf_map_ctx *ctx, const struct btf_type *def,
				uint16_t idx)
{
	const struct btf *btf = ctx->reader->btf;
	const struct btf_member *m = btf_members(def) + idx;
	uint32_t type = ctx->def->type;
	bool is_map_in_map = type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
	const struct btf_type *t;
	char inner_name[128];

	if (ctx->is_inner)
		return btf_map_error(ctx, -ENOTSUP, "multi-level inner maps are not supported:",
				     "values");
	if (idx != btf_vlen(def) - 1)
		return btf_map_error(ctx, -EINVAL, "must be the last member:", "values");
	if (!is_map_in_map && type != BPF_MAP_TYPE_PROG_ARRAY)
		return btf_map_error(ctx, -ENOTSUP, "only map-in-map and prog arrays have",
				     "values");
	if (ctx->def->value_size && ctx->def->value_size != 4)
		return btf_map_error(ctx, -EINVAL, "conflicting value size (not 4) with", "values");
	ctx->def->value_size = 4;
	t = btf__type_by_id(btf, m->type);
	if (!t || !btf_is_array(t) || btf_array(t)->nelems)
		return btf_map_error(ctx, -EINVAL, "expected a zero-sized array in", "values");
	t = reader_btf_skip_mods(btf, btf_array(t)->type);
	if (!t || !btf_is_ptr(t))
		return btf_map_error(ctx, -EINVAL, "expected an array of pointers in", "values");
	t = reader_btf_skip_mods(btf, t->type);
	ctx->values_off = btf_member_bit_offset(def, idx) / 8;
	if (!is_map_in_map) {
		if (!t || !btf_is_func_proto(t))
			return btf_map_error(ctx, -EINVAL, "expected pointers to functions in",
					     "values");
		return 0;
	}
	if (!t || !btf_is_struct(t))
		return btf_map_error(ctx, -EINVAL, "expected pointers to a map definition in",
				     "values");
	snprintf(inner_name, sizeof(inner_name), "%s.inner", ctx->map_name);
	struct btf_map_ctx inner = {
		.reader = ctx->reader, .map_name = inner_name, .is_inner = true,
		.def = ctx->inner,
	};
	*ctx->has_inner = true;
	return parse_btf_map_def(&inner, t);
}

static int btf_map_field_pinning(struct btf_map_ctx *ctx, const struct btf_member *m)
{
	uint32_t pinning;
	int err;

	if (ctx->is_inner)
		return btf_map_error(ctx, -EINVAL, "an inner map cannot have", "pinning");
	err = btf_map_field_int(ctx, m, "pinning", &pinning);
	if (err)
		return err;
	if (pinning != OBJECT_PIN_NONE && pinning != OBJECT_PIN_BY_NAME)
		return reader_error(ctx->reader, -EINVAL, "section '.maps': map '%s': invalid "
				    "pinning value %u", ctx->map_name, pinning);
	ctx->def->pinning = pinning;
	return 0;
}

static int parse_btf_map_member(struct btf_map_ctx *ctx, const struct btf_type *def,
				uint16_t idx)
{
	const struct btf_member *m = btf_members(def) + idx;
	const char *name = btf__name_by_offset(ctx->reader->btf, m->name_off);
	struct object_map_def *d = ctx->def;
	uint32_t map_extra;
	int err;

	if (!name || !name[0])
		return reader_error(ctx->reader, -EINVAL, "section '.maps': map '%s': member #%u "
				    "has no name", ctx->map_name, idx);
	if (strcmp(name, "type") == 0)
		return btf_map_field_int(ctx, m, name, &d->type);
	if (strcmp(name, "max_entries") == 0)
		return btf_map_field_int(ctx, m, name, &d->max_entries);
	if (strcmp(name, "map_flags") == 0)
		return btf_map_field_int(ctx, m, name, &d->map_flags);
	if (strcmp(name, "numa_node") == 0)
		return btf_map_field_int(ctx, m, name, &d->numa_node);
	if (strcmp(name, "key_size") == 0)
		return btf_map_field_explicit_size(ctx, m, name, &d->key_size);
	if (strcmp(name, "key") == 0)
		return btf_map_field_size(ctx, m, name, &d->key_size);
	if (strcmp(name, "value_size") == 0)
		return btf_map_field_explicit_size(ctx, m, name, &d->value_size);
	if (strcmp(name, "value") == 0) {
		err = btf_map_field_size(ctx, m, name, &d->value_size);
		/* A pointer to the value's type: kept for its special fields. */
		if (!err)
			d->btf_value_type_id = btf__type_by_id(ctx->reader->btf, m->type)->type;
		return err;
	}
	if (strcmp(name, "values") == 0)
		return btf_map_field_values(ctx, def, idx);
	if (strcmp(name, "pinning") == 0)
		return btf_map_field_pinning(ctx, m);
	if (strcmp(name, "map_extra") == 0) {
		err = btf_map_field_int(ctx, m, name, &map_extra);
		d->map_extra = map_extra;
		return err;
	}
	return btf_map_error(ctx, -ENOTSUP, "unknown field", name);
}

static int parse_btf_map_def(struct btf_map_ctx *ctx, const struct btf_type *def)
{
	for (uint16_t i = 0; i < btf_vlen(def); i++) {
		int err = parse_btf_map_member(ctx, def, i);

		if (err)
			return err;
	}
	if (ctx->def->type == BPF_MAP_TYPE_UNSPEC)
		return reader_error(ctx->reader, -EINVAL, "section '.maps': map '%s': map type "
				    "isn't specified", ctx->map_name);
	return 0;
}

/* libbpf's adjust_ringbuf_sz: max_entries rounded up to a power-of-2
 * multiple of the page size. */
static uint32_t ringbuf_size_adjusted(uint32_t size)
{
	uint32_t page = (uint32_t)sysconf(_SC_PAGE_SIZE);

	if (size == 0 || (size % page == 0 && ((size / page) & (size / page - 1)) == 0))
		return size;
	for (uint64_t mul = 1; mul * page <= UINT32_MAX; mul <<= 1) {
		if (mul * page > size)
			return (uint32_t)(mul * page);
	}
	return size;
}

static int reader_note_ignored(struct elf_reader *reader, const char *name,
			       const struct object_map_def *def)
{
	int err = 0;

	if (def->numa_node)
		err = reader_note(reader, "map '%s': numa_node %u ignored: bpfvm has no NUMA "
				  "placement", name, def->numa_node);
	if (!err && def->pinning == OBJECT_PIN_BY_NAME)
		err = reader_note(reader, "map '%s': pinning by name not honoured without a "
				  "namespace (bpfvm_opts.use_ns): the map is private to this "
				  "object", name);
	if (!err && def->map_extra)
		err = reader_note(reader, "map '%s': map_extra 0x%llx passed to the map, which "
				  "may ignore it", name, (unsigned long long)def->map_extra);
	return err;
}

static void btf_map_fixup(struct object_map_def *def)
{
	if (def->type == BPF_MAP_TYPE_RINGBUF || def->type == 31 /* USER_RINGBUF */)
		def->max_entries = ringbuf_size_adjusted(def->max_entries);
}

/* clang may leave a DATASEC's offsets and sizes zero in the object (libbpf
 * fills them in at open from the symbol table, btf_fixup_datasec): the
 * variable's ELF symbol in .maps gives its place. */
static const Elf64_Sym *reader_btf_map_sym(const struct elf_reader *reader, const char *name)
{
	for (size_t i = 0; i < reader->sym_cnt; i++) {
		const Elf64_Sym *sym = &reader->syms[i];
		const char *sym_name;

		if (sym->st_shndx != reader->btf_maps_idx ||
		    ELF64_ST_TYPE(sym->st_info) != STT_OBJECT)
			continue;
		sym_name = reader_sym_name(reader, sym);
		if (sym_name && strcmp(sym_name, name) == 0)
			return sym;
	}
	return NULL;
}

struct btf_map_var {
	const char *name;
	const struct btf_type *def;
	uint64_t offset;
	uint64_t size;
};

static int reader_check_btf_var(struct elf_reader *reader, const struct btf_var_secinfo *vi,
				struct btf_map_var *out)
{
	const struct elf_sec *sec = &reader->secs[reader->btf_maps_idx];
	const struct btf_type *var = btf__type_by_id(reader->btf, vi->type), *def;
	const char *name = var ? btf__name_by_offset(reader->btf, var->name_off) : NULL;
	const Elf64_Sym *sym;

	if (!name || !name[0])
		return reader_error(reader, -EINVAL, "section '.maps': map with an empty name");
	if (!btf_is_var(var))
		return reader_error(reader, -EINVAL, "section '.maps': map '%s': not a variable",
				    name);
	if (btf_var(var)->linkage != BTF_VAR_GLOBAL_ALLOCATED)
		return reader_error(reader, -ENOTSUP, "section '.maps': map '%s': static or "
				    "extern maps are not supported", name);
	sym = reader_btf_map_sym(reader, name);
	if (!sym)
		return reader_error(reader, -EINVAL, "section '.maps': map '%s': no symbol for it "
				    "in the section", name);
	if (sym->st_value > sec->size || sym->st_size > sec->size - sym->st_value)
		return reader_error(reader, -EINVAL, "section '.maps': map '%s': its symbol lies "
				    "outside the section", name);
	def = reader_btf_skip_mods(reader->btf, var->type);
	if (!def || !btf_is_struct(def))
		return reader_error(reader, -EINVAL, "section '.maps': map '%s': definition is "
				    "not a struct", name);
	if (def->size > sym->st_size)
		return reader_error(reader, -EINVAL, "section '.maps': map '%s': invalid "
				    "definition size", name);
	out->name = name;
	out->def = def;
	out->offset = sym->st_value;
	out->size = sym->st_size;
	return 0;
}

static int reader_add_btf_map(struct elf_reader *reader, const struct btf_var_secinfo *vi)
{
	struct btf_map_var var = { 0 };
	struct object_map *map;
	int err = reader_check_btf_var(reader, vi, &var);

	if (err)
		return err;
	map = reader_add_map(reader);
	if (!map)
		return -ENOMEM;
	map->name = strdup(var.name);
	map->real_name = strdup(var.name);
	if (!map->name || !map->real_name)
		return reader_error(reader, -ENOMEM, "out of memory");
	map->kind = OBJECT_MAP_BTF;
	map->sec_idx = (uint32_t)reader->btf_maps_idx;
	map->sec_offset = var.offset;
	map->btf_var_off = (uint32_t)var.offset;
	map->btf_var_size = (uint32_t)var.size;
	struct btf_map_ctx ctx = {
		.reader = reader, .map_name = map->name, .def = &map->def,
		.inner = &map->inner, .has_inner = &map->has_inner,
	};
	err = parse_btf_map_def(&ctx, var.def);
	if (err)
		return err;
	map->btf_values_off = ctx.values_off;
	btf_map_fixup(&map->def);
	btf_map_fixup(&map->inner);
	return reader_note_ignored(reader, map->name, &map->def);
}

static const struct btf_type *reader_find_datasec(const struct elf_reader *reader,
						  const char *name)
{
	uint32_t cnt = btf__type_cnt(reader->btf);

	for (uint32_t id = 1; id < cnt; id++) {
		const struct btf_type *t = btf__type_by_id(reader->btf, id);
		const char *t_name;

		if (!t || !btf_is_datasec(t))
			continue;
		t_name = btf__name_by_offset(reader->btf, t->name_off);
		if (t_name && strcmp(t_name, name) == 0)
			return t;
	}
	return NULL;
}

static int btf_map_order(const void *a, const void *b)
{
	const struct object_map *x = a, *y = b;

	return x->sec_offset < y->sec_offset ? -1 : x->sec_offset > y->sec_offset;
}

int reader_collect_btf_maps(struct elf_reader *reader)
{
	uint32_t first = reader->file->map_cnt;
	const struct btf_type *sec;
	int err;

	if (!reader->btf_maps_idx)
		return 0;
	if (!reader->btf)
		return reader_error(reader, -EINVAL, "section '.maps': the object has no BTF "
				    "(.BTF section) to describe its maps");
	if (!reader->secs[reader->btf_maps_idx].data)
		return reader_error(reader, -EINVAL, "section '.maps': empty");
	sec = reader_find_datasec(reader, ".maps");
	if (!sec)
		return reader_error(reader, -EINVAL, "section '.maps': no DATASEC '.maps' in BTF");
	for (uint16_t i = 0; i < btf_vlen(sec); i++) {
		err = reader_add_btf_map(reader, btf_var_secinfos(sec) + i);
		if (err)
			return err;
	}
	/* libbpf sorts the DATASEC's variables by offset (btf_fixup_datasec). */
	qsort(reader->file->maps + first, reader->file->map_cnt - first,
	      sizeof(*reader->file->maps), btf_map_order);
	return 0;
}
