/* Access specs: what an access string reaches in one BTF, as libbpf's
 * bpf_core_parse_spec and bpf_core_spec_match.
 *
 *   struct s { int a; struct { int b; int c[4]; }; } *p;   &p[0].c[2]
 *   access string "0:1:1:2":  0 element of the root pointer
 *                             1 member #1 of struct s (anonymous: stepped through)
 *                             1 member #1 of the anonymous struct, "c"
 *                             2 element #2 of the array
 *   accessors: [s, elem 0] [anon, member 1 "c"] [int, elem 2]
 *
 * Matching walks a target type by the local accessors: a named member is
 * looked up by name (anonymous members of the target searched through), an
 * element by index. Type relocations have the access string "0"; enumerator
 * relocations the enumerator's index. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "object/core_relo.h"

static int spec_fail(const char **why, int err, const char *what)
{
	*why = what;
	return err;
}

/* Splits "0:1:2" into numbers. */
static int spec_parse_numbers(const char *access, uint32_t *raw, uint32_t *raw_len,
			      const char **why)
{
	const char *p = access;

	*raw_len = 0;
	if (!p[0] || p[0] == ':')
		return spec_fail(why, -EINVAL, "empty access string or a leading ':'");
	while (*p) {
		char *end;
		unsigned long n;

		if (*p < '0' || *p > '9')
			return spec_fail(why, -EINVAL, "access string is not numbers separated "
					 "by ':'");
		n = strtoul(p, &end, 10);
		if (n > INT32_MAX)
			return spec_fail(why, -EINVAL, "access string index too large");
		if (*raw_len == CORE_SPEC_MAX_LEN)
			return spec_fail(why, -E2BIG, "access string longer than 64 steps");
		raw[(*raw_len)++] = (uint32_t)n;
		p = end;
		if (*p == ':') /* libbpf accepts a trailing one */
			p++;
		else if (*p)
			return spec_fail(why, -EINVAL, "access string is not numbers separated "
					 "by ':'");
	}
	return 0;
}

static int spec_parse_enumval(struct core_spec *spec, const struct btf_type *t, uint32_t idx,
			      uint32_t raw_len, const char **why)
{
	uint32_t name_off;

	if (!btf_is_any_enum(t))
		return spec_fail(why, -EINVAL, "enumerator relocation on a type that is not "
				 "an enum");
	if (raw_len > 1 || idx >= btf_vlen(t))
		return spec_fail(why, -EINVAL, "enumerator index out of range");
	name_off = btf_is_enum(t) ? btf_enum(t)[idx].name_off : btf_enum64(t)[idx].name_off;
	spec->acc[0].name = btf__name_by_offset(spec->btf, name_off);
	if (!spec->acc[0].name)
		return spec_fail(why, -EINVAL, "enumerator name unreadable");
	return 0;
}

/* A flexible array: the last member of its struct, of no elements. */
static bool spec_is_flex_array(const struct btf *btf, const struct core_accessor *holder,
			       const struct btf_array *arr)
{
	const struct btf_type *t;

	if (!holder->name || arr->nelems > 0)
		return false;
	t = btf__type_by_id(btf, holder->type_id);
	return t && holder->idx == (uint32_t)btf_vlen(t) - 1;
}

static int spec_step_member(struct core_spec *spec, const struct btf_type *t, uint32_t t_id,
			    uint32_t idx, uint32_t *id, const char **why)
{
	const struct btf_member *m;
	const char *name;

	if (idx >= btf_vlen(t))
		return spec_fail(why, -EINVAL, "member index out of range");
	m = btf_members(t) + idx;
	spec->bit_offset += btf_member_bit_offset(t, idx);
	if (m->name_off) {
		name = btf__name_by_offset(spec->btf, m->name_off);
		if (!name || !name[0])
			return spec_fail(why, -EINVAL, "member name unreadable");
		spec->acc[spec->len++] = (struct core_accessor){ t_id, idx, name };
	}
	*id = m->type;
	return 0;
}

static int spec_step_element(struct core_spec *spec, const struct btf_type *t, uint32_t idx,
			     uint32_t *id, const char **why)
{
	const struct btf_array *arr = btf_array(t);
	int64_t size;

	if (!core_skip_mods(spec->btf, arr->type, id))
		return spec_fail(why, -EINVAL, "array element type invalid");
	if (!spec_is_flex_array(spec->btf, &spec->acc[spec->len - 1], arr) && idx >= arr->nelems)
		return spec_fail(why, -EINVAL, "array index out of range");
	spec->acc[spec->len++] = (struct core_accessor){ *id, idx, NULL };
	size = btf__resolve_size(spec->btf, *id);
	if (size < 0)
		return spec_fail(why, -EINVAL, "array element size unknown");
	spec->bit_offset += (uint64_t)idx * (uint64_t)size * 8;
	return 0;
}

static int spec_parse_field(struct core_spec *spec, const uint32_t *raw, uint32_t raw_len,
			    uint32_t id, const char **why)
{
	int64_t size = btf__resolve_size(spec->btf, id);

	if (size < 0)
		return spec_fail(why, -EINVAL, "root type has no size");
	spec->bit_offset = (uint64_t)raw[0] * (uint64_t)size * 8;
	for (uint32_t i = 1; i < raw_len; i++) {
		uint32_t t_id;
		const struct btf_type *t = core_skip_mods(spec->btf, id, &t_id);
		int err;

		if (!t)
			return spec_fail(why, -EINVAL, "access reaches an invalid type");
		if (btf_is_composite(t))
			err = spec_step_member(spec, t, t_id, raw[i], &id, why);
		else if (btf_is_array(t))
			err = spec_step_element(spec, t, raw[i], &id, why);
		else
			err = spec_fail(why, -EINVAL, "access steps into a type that is neither "
					"struct, union nor array");
		if (err)
			return err;
	}
	return 0;
}

int core_spec_parse(const struct btf *btf, uint32_t type_id, const char *access,
		    uint32_t kind, struct core_spec *spec, const char **why)
{
	uint32_t raw[CORE_SPEC_MAX_LEN], id;
	const struct btf_type *t;
	int err;

	memset(spec, 0, sizeof(*spec));
	spec->btf = btf;
	spec->kind = kind;
	spec->root_type_id = type_id;
	err = spec_parse_numbers(access, raw, &spec->raw_len, why);
	if (err)
		return err;
	if (core_kind_is_type(kind))
		return spec->raw_len == 1 && raw[0] == 0 ? 0 :
			spec_fail(why, -EINVAL, "type relocation with an access string other "
				  "than \"0\"");
	t = core_skip_mods(btf, type_id, &id);
	if (!t)
		return spec_fail(why, -EINVAL, "root type invalid");
	spec->acc[0] = (struct core_accessor){ id, raw[0], NULL };
	spec->len = 1;
	if (core_kind_is_enumval(kind))
		return spec_parse_enumval(spec, t, raw[0], spec->raw_len, why);
	if (!core_kind_is_field(kind))
		return spec_fail(why, -EINVAL, "unknown relocation kind");
	return spec_parse_field(spec, raw, spec->raw_len, id, why);
}

/* ---- matching ---- */

static int match_enumval(const struct core_spec *local, struct core_spec *targ,
			 uint32_t targ_id)
{
	const struct btf_type *t = core_skip_mods(targ->btf, targ_id, &targ_id);
	const char *want = local->acc[0].name;
	size_t want_len = core_essential_name_len(want);

	if (!t || !btf_is_any_enum(t))
		return 0;
	for (uint16_t i = 0; i < btf_vlen(t); i++) {
		uint32_t off = btf_is_enum(t) ? btf_enum(t)[i].name_off : btf_enum64(t)[i].name_off;
		const char *name = btf__name_by_offset(targ->btf, off);

		if (!name || core_essential_name_len(name) != want_len ||
		    strncmp(name, want, want_len) != 0)
			continue;
		targ->acc[0] = (struct core_accessor){ targ_id, i, name };
		targ->len = targ->raw_len = 1;
		return 1;
	}
	return 0;
}

/* Finds local accessor acc's member by name in target composite targ_id,
 * through anonymous members; *next_id is then the member's type. */
static int match_member(const struct core_spec *local, const struct core_accessor *acc,
			struct core_spec *targ, uint32_t targ_id, uint32_t *next_id)
{
	const struct btf_type *local_t = btf__type_by_id(local->btf, acc->type_id);
	const struct btf_member *local_m = btf_members(local_t) + acc->idx;
	const struct btf_type *t = core_skip_mods(targ->btf, targ_id, &targ_id);

	if (!t)
		return -EINVAL;
	if (!btf_is_composite(t))
		return 0;
	for (uint16_t i = 0; i < btf_vlen(t); i++) {
		const struct btf_member *m = btf_members(t) + i;
		const char *name = btf__name_by_offset(targ->btf, m->name_off);
		uint32_t bit_off = btf_member_bit_offset(t, i);
		int found;

		if (targ->raw_len == CORE_SPEC_MAX_LEN)
			return -E2BIG;
		targ->bit_offset += bit_off; /* as if this member were the one */
		targ->raw_len++;
		if (!name || !name[0]) {
			found = match_member(local, acc, targ, m->type, next_id);
			if (found)
				return found;
		} else if (strcmp(name, acc->name) == 0) {
			targ->acc[targ->len++] = (struct core_accessor){ targ_id, i, name };
			*next_id = m->type;
			found = core_fields_compat(local->btf, local_m->type, targ->btf, m->type);
			if (found <= 0)
				targ->len--;
			return found;
		}
		targ->bit_offset -= bit_off;
		targ->raw_len--;
	}
	return 0;
}

static int match_element(const struct core_spec *local, uint32_t i, struct core_spec *targ,
			 uint32_t *targ_id)
{
	const struct btf_type *t = btf__type_by_id(targ->btf, *targ_id);
	int64_t size;

	if (i > 0) { /* the root's element is the root type itself */
		const struct btf_array *arr;

		if (!btf_is_array(t))
			return 0;
		arr = btf_array(t);
		if (!spec_is_flex_array(targ->btf, &targ->acc[targ->len - 1], arr) &&
		    local->acc[i].idx >= arr->nelems)
			return 0;
		if (!core_skip_mods(targ->btf, arr->type, targ_id))
			return -EINVAL;
	}
	if (targ->raw_len == CORE_SPEC_MAX_LEN)
		return -E2BIG;
	targ->acc[targ->len++] = (struct core_accessor){ *targ_id, local->acc[i].idx, NULL };
	targ->raw_len++;
	size = btf__resolve_size(targ->btf, *targ_id);
	if (size < 0)
		return -EINVAL;
	targ->bit_offset += (uint64_t)local->acc[i].idx * (uint64_t)size * 8;
	return 1;
}

static int match_field(const struct core_spec *local, struct core_spec *targ, uint32_t targ_id)
{
	for (uint32_t i = 0; i < local->len; i++) {
		int found;

		if (!core_skip_mods(targ->btf, targ_id, &targ_id))
			return -EINVAL;
		if (local->acc[i].name)
			found = match_member(local, &local->acc[i], targ, targ_id, &targ_id);
		else
			found = match_element(local, i, targ, &targ_id);
		if (found <= 0)
			return found;
	}
	return 1;
}

int core_spec_match(const struct core_spec *local, const struct btf *targ_btf,
		    uint32_t targ_id, struct core_spec *targ)
{
	memset(targ, 0, sizeof(*targ));
	targ->btf = targ_btf;
	targ->root_type_id = targ_id;
	targ->kind = local->kind;
	if (local->kind == BPF_CORE_TYPE_MATCHES)
		return core_types_match(local->btf, local->root_type_id, targ_btf, targ_id);
	if (core_kind_is_type(local->kind))
		return core_types_compat(local->btf, local->root_type_id, targ_btf, targ_id);
	if (core_kind_is_enumval(local->kind))
		return match_enumval(local, targ, targ_id);
	return match_field(local, targ, targ_id);
}
