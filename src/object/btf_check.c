/* The object's .BTF checked as the kernel checks BTF it loads
 * (kernel/bpf/btf.c: btf_parse_hdr, btf_check_all_metas, btf_resolve), for
 * what libbpf 1.1's btf__new lets through: an unknown version, type ids and
 * name offsets out of range (libbpf then crashes or the reader reads
 * garbage), types that contain themselves, DATASEC variables that overlap or
 * lie outside their section. libbpf would load such BTF into the kernel,
 * which refuses it; bpfvm refuses the object with a message naming the type.
 *
 * The header is checked on the raw bytes before btf__new, so that a bad
 * magic, version or length gets its own message rather than libbpf's
 * -EINVAL. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <linux/btf.h>

#include "object/elf_reader.h"
#include "object/sym_index.h"

#define BTF_MAGIC_LE 0xeB9F

static int btf_hdr_error(struct elf_reader *reader, const char *what, uint32_t value)
{
	return reader_error(reader, -EINVAL, "section '.BTF': malformed BTF: %s %u", what, value);
}

/* A part of the section (after the header) lies inside it. */
static bool btf_part_inside(uint32_t off, uint32_t len, size_t body)
{
	return off <= body && len <= body - off;
}

int reader_btf_check_header(struct elf_reader *reader, const void *data, size_t size)
{
	struct btf_header hdr;
	const char *strs;
	size_t body;

	if (size < sizeof(hdr))
		return btf_hdr_error(reader, "too short: bytes", (uint32_t)size);
	memcpy(&hdr, data, sizeof(hdr));
	if (hdr.magic != BTF_MAGIC_LE)
		return reader_error(reader, -EINVAL, "section '.BTF': malformed BTF: bad magic "
				    "0x%x", hdr.magic);
	if (hdr.version != BTF_VERSION)
		return btf_hdr_error(reader, "unknown version", hdr.version);
	if (hdr.flags)
		return btf_hdr_error(reader, "unknown flags", hdr.flags);
	if (hdr.hdr_len < sizeof(hdr) || hdr.hdr_len > size)
		return btf_hdr_error(reader, "bad header length", hdr.hdr_len);
	body = size - hdr.hdr_len;
	if (!btf_part_inside(hdr.type_off, hdr.type_len, body) || hdr.type_off % 4)
		return btf_hdr_error(reader, "type section lies outside the section: offset",
				     hdr.type_off);
	if (!btf_part_inside(hdr.str_off, hdr.str_len, body) || !hdr.str_len)
		return btf_hdr_error(reader, "string section lies outside the section: offset",
				     hdr.str_off);
	strs = (const char *)data + hdr.hdr_len + hdr.str_off;
	if (strs[0] || strs[hdr.str_len - 1])
		return reader_error(reader, -EINVAL, "section '.BTF': malformed BTF: the string "
				    "section does not start and end with a NUL");
	return 0;
}

/* ---- Type ids and names ------------------------------------------------ */

struct btf_check {
	struct elf_reader *reader;
	const struct btf *btf;
	uint32_t cnt; /* btf__type_cnt: ids are below it */
	struct sym_index names; /* where libbpf places DATASEC variables */
};

static const char *btf_check_name(const struct btf_check *c, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(c->btf, id);
	const char *name = t ? btf__name_by_offset(c->btf, t->name_off) : NULL;

	return name && name[0] ? name : "(anon)";
}

static int btf_bad_ref(const struct btf_check *c, uint32_t id, uint32_t ref)
{
	return reader_error(c->reader, -EINVAL, "section '.BTF': type [%u] '%s' refers to type "
			    "[%u], which does not exist (%u types)", id, btf_check_name(c, id),
			    ref, c->cnt - 1);
}

static int btf_bad_name(const struct btf_check *c, uint32_t id, const char *what,
			uint32_t off)
{
	return reader_error(c->reader, -EINVAL, "section '.BTF': type [%u]: %s name offset %u "
			    "lies past the string section", id, what, off);
}

static bool btf_name_ok(const struct btf_check *c, uint32_t off)
{
	return btf__name_by_offset(c->btf, off) != NULL;
}

/* The i-th type id type `t` refers to (any edge), or false. */
static bool btf_ref(const struct btf_type *t, uint32_t i, uint32_t *ref)
{
	uint16_t vlen = btf_vlen(t);

	switch (btf_kind(t)) {
	case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST: case BTF_KIND_RESTRICT: case BTF_KIND_FUNC:
	case BTF_KIND_VAR: case BTF_KIND_TYPE_TAG: case BTF_KIND_DECL_TAG:
		*ref = t->type;
		return i == 0;
	case BTF_KIND_ARRAY:
		*ref = i == 0 ? btf_array(t)->type : btf_array(t)->index_type;
		return i < 2;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		*ref = i < vlen ? btf_members(t)[i].type : 0;
		return i < vlen;
	case BTF_KIND_FUNC_PROTO:
		*ref = i == 0 ? t->type : i <= vlen ? btf_params(t)[i - 1].type : 0;
		return i <= vlen;
	case BTF_KIND_DATASEC:
		*ref = i < vlen ? btf_var_secinfos(t)[i].type : 0;
		return i < vlen;
	default:
		return false;
	}
}

/* Names of members and enumerators; the type's own is checked by the
 * caller. */
static int btf_check_member_names(const struct btf_check *c, uint32_t id,
				  const struct btf_type *t)
{
	for (uint16_t i = 0; i < btf_vlen(t); i++) {
		uint32_t off = btf_is_composite(t) ? btf_members(t)[i].name_off
			       : btf_is_enum(t) ? btf_enum(t)[i].name_off
			       : btf_is_enum64(t) ? btf_enum64(t)[i].name_off
			       : btf_is_func_proto(t) ? btf_params(t)[i].name_off : 0;

		if (!btf_name_ok(c, off))
			return btf_bad_name(c, id, "a member's", off);
	}
	return 0;
}

static int btf_check_refs(const struct btf_check *c)
{
	for (uint32_t id = 1; id < c->cnt; id++) {
		const struct btf_type *t = btf__type_by_id(c->btf, id);
		uint32_t ref;
		int err;

		if (!btf_name_ok(c, t->name_off))
			return btf_bad_name(c, id, "its", t->name_off);
		err = btf_check_member_names(c, id, t);
		if (err)
			return err;
		for (uint32_t i = 0; btf_ref(t, i, &ref); i++) {
			if (ref >= c->cnt)
				return btf_bad_ref(c, id, ref);
		}
	}
	return 0;
}

/* ---- Types that contain themselves -------------------------------------- */

/* The i-th type `t` holds by value (a pointer, a function does not). */
static bool btf_value_ref(const struct btf_type *t, uint32_t i, uint32_t *ref)
{
	if (btf_is_ptr(t) || btf_is_func(t) || btf_is_func_proto(t) || btf_is_decl_tag(t))
		return false;
	if (btf_is_array(t))
		return i == 0 && btf_ref(t, 0, ref);
	return btf_ref(t, i, ref);
}

struct btf_frame {
	uint32_t id;
	uint32_t edge;
};

enum { BTF_WHITE, BTF_ON_PATH, BTF_DONE };

/* Depth-first from `root` along by-value edges, without recursion (the
 * chain may be as long as the type count). */
static int btf_check_loops_from(const struct btf_check *c, uint32_t root, uint8_t *color,
				struct btf_frame *stack)
{
	size_t depth = 0;

	stack[depth++] = (struct btf_frame){ root, 0 };
	color[root] = BTF_ON_PATH;
	while (depth) {
		struct btf_frame *f = &stack[depth - 1];
		uint32_t ref;

		if (!btf_value_ref(btf__type_by_id(c->btf, f->id), f->edge++, &ref)) {
			color[f->id] = BTF_DONE;
			depth--;
			continue;
		}
		if (ref == 0 || color[ref] == BTF_DONE)
			continue;
		if (color[ref] == BTF_ON_PATH)
			return reader_error(c->reader, -EINVAL, "section '.BTF': type [%u] '%s' "
					    "contains itself (through type [%u])", ref,
					    btf_check_name(c, ref), f->id);
		color[ref] = BTF_ON_PATH;
		stack[depth++] = (struct btf_frame){ ref, 0 };
	}
	return 0;
}

static int btf_check_loops(const struct btf_check *c)
{
	uint8_t *color = calloc(c->cnt, 1);
	struct btf_frame *stack = calloc(c->cnt, sizeof(*stack));
	int err = 0;

	if (!color || !stack)
		err = reader_error(c->reader, -ENOMEM, "out of memory");
	for (uint32_t id = 1; !err && id < c->cnt; id++) {
		if (color[id] == BTF_WHITE)
			err = btf_check_loops_from(c, id, color, stack);
	}
	free(color);
	free(stack);
	return err;
}

/* ---- DATASEC variables --------------------------------------------------- */

/* Where libbpf places a variable (btf_fixup_datasec): at its symbol's
 * value, whatever the DATASEC says (clang leaves 0 there for globals). */
static uint32_t btf_var_offset(const struct btf_check *c, size_t sec_idx, const char *name,
			       uint32_t btf_offset)
{
	uint32_t off;

	if (sym_index_value_of(&c->names, (uint32_t)sec_idx, name, STT_OBJECT, &off))
		return off;
	return btf_offset;
}

static int vsi_order(const void *a, const void *b)
{
	const struct btf_var_secinfo *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* The variables of a DATASEC that names a section of the file lie inside
 * it and do not overlap, as the kernel checks them once libbpf has placed
 * them. */
static int btf_check_datasec(const struct btf_check *c, uint32_t id, const struct btf_type *t)
{
	const char *name = btf__name_by_offset(c->btf, t->name_off);
	size_t sec_idx = reader_find_sec(c->reader, name);
	const struct elf_sec *sec = sec_idx ? &c->reader->secs[sec_idx] : NULL;
	uint16_t vlen = btf_vlen(t);
	struct btf_var_secinfo *vars;
	uint64_t end = 0;
	int err = 0;

	if (!sec || !vlen)
		return 0;
	vars = malloc(vlen * sizeof(*vars));
	if (!vars)
		return reader_error(c->reader, -ENOMEM, "out of memory");
	memcpy(vars, btf_var_secinfos(t), vlen * sizeof(*vars));
	for (uint16_t i = 0; i < vlen; i++)
		vars[i].offset = btf_var_offset(c, sec_idx, btf_check_name(c, vars[i].type),
						vars[i].offset);
	qsort(vars, vlen, sizeof(*vars), vsi_order);
	for (uint16_t i = 0; !err && i < vlen; i++) {
		const char *var = btf_check_name(c, vars[i].type);

		if (vars[i].offset < end)
			err = reader_error(c->reader, -EINVAL, "section '.BTF': DATASEC '%s' [%u]: "
					   "variable '%s' at offset %u overlaps the one before",
					   name, id, var, vars[i].offset);
		else if ((uint64_t)vars[i].offset + vars[i].size > sec->size)
			err = reader_error(c->reader, -EINVAL, "section '.BTF': DATASEC '%s' [%u]: "
					   "variable '%s' (offset %u, %u bytes) lies past the "
					   "section's %zu bytes", name, id, var, vars[i].offset,
					   vars[i].size, sec->size);
		end = (uint64_t)vars[i].offset + vars[i].size;
	}
	free(vars);
	return err;
}

int reader_btf_check_types(struct elf_reader *reader)
{
	struct btf_check c = { .reader = reader, .btf = reader->btf,
			       .cnt = btf__type_cnt(reader->btf) };
	int err = btf_check_refs(&c);

	err = err ? err : btf_check_loops(&c);
	if (!err && sym_index_names(&c.names, reader))
		err = reader_error(reader, -ENOMEM, "out of memory");
	for (uint32_t id = 1; !err && id < c.cnt; id++) {
		const struct btf_type *t = btf__type_by_id(c.btf, id);

		if (btf_is_datasec(t))
			err = btf_check_datasec(&c, id, t);
	}
	sym_index_free(&c.names);
	return err;
}
