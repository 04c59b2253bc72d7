/* When a target type may stand for a local one, in libbpf's three degrees:
 *
 *   fields compatible  (a member found by name): composites always; scalars of
 *                      the same kind (any ints, pointers, floats, enums and
 *                      forwards of the same essential name, arrays of such)
 *   types compatible   (type id, exists, size): the same shape through
 *                      pointers, arrays and function prototypes
 *   types match        (bpf_core_type_matches): the local type's every member
 *                      and enumerator has a namesake of matching type, ints of
 *                      the same size and sign, arrays of the same length
 *
 * Names compare without their "___flavor" suffix (task_struct___old is a
 * local flavor of task_struct). */
#include <errno.h>
#include <string.h>

#include <bpf/btf.h>

#include "object/core_relo.h"

/* libbpf's recursion limits for compatibility and matching. */
#define CORE_COMPAT_DEPTH 32
#define CORE_MATCH_LEVEL 32
#define CORE_MAX_MODS 32

static const char *const core_kind_names[] = {
	[BPF_CORE_FIELD_BYTE_OFFSET] = "byte_off",   [BPF_CORE_FIELD_BYTE_SIZE] = "byte_sz",
	[BPF_CORE_FIELD_EXISTS] = "field_exists",    [BPF_CORE_FIELD_SIGNED] = "signed",
	[BPF_CORE_FIELD_LSHIFT_U64] = "lshift_u64",  [BPF_CORE_FIELD_RSHIFT_U64] = "rshift_u64",
	[BPF_CORE_TYPE_ID_LOCAL] = "local_type_id",  [BPF_CORE_TYPE_ID_TARGET] = "target_type_id",
	[BPF_CORE_TYPE_EXISTS] = "type_exists",	     [BPF_CORE_TYPE_SIZE] = "type_size",
	[BPF_CORE_ENUMVAL_EXISTS] = "enumval_exists", [BPF_CORE_ENUMVAL_VALUE] = "enumval_value",
	[BPF_CORE_TYPE_MATCHES] = "type_matches",
};

const char *core_kind_name(uint32_t kind)
{
	return kind < sizeof(core_kind_names) / sizeof(core_kind_names[0]) ?
		       core_kind_names[kind] : NULL;
}

bool core_kind_is_field(uint32_t kind)
{
	return kind <= BPF_CORE_FIELD_RSHIFT_U64;
}

bool core_kind_is_type(uint32_t kind)
{
	return (kind >= BPF_CORE_TYPE_ID_LOCAL && kind <= BPF_CORE_TYPE_SIZE) ||
	       kind == BPF_CORE_TYPE_MATCHES;
}

bool core_kind_is_enumval(uint32_t kind)
{
	return kind == BPF_CORE_ENUMVAL_EXISTS || kind == BPF_CORE_ENUMVAL_VALUE;
}

const struct btf_type *core_skip_mods(const struct btf *btf, uint32_t id, uint32_t *id_out)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	for (int depth = 0; t && (btf_is_mod(t) || btf_is_typedef(t)); depth++) {
		if (depth == CORE_MAX_MODS)
			return NULL;
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (t && id_out)
		*id_out = id;
	return t;
}

size_t core_essential_name_len(const char *name)
{
	size_t len = strlen(name);

	/* The last "X___Y" with X and Y not underscores: the name is up to X. */
	for (size_t i = len >= 5 ? len - 4 : 0; i-- > 0;) {
		const char *s = name + i;

		if (s[0] != '_' && s[1] == '_' && s[2] == '_' && s[3] == '_' && s[4] != '_')
			return i + 1;
	}
	return len;
}

bool core_kinds_compat(const struct btf_type *local, const struct btf_type *targ)
{
	return btf_kind(local) == btf_kind(targ) || (btf_is_any_enum(local) &&
						     btf_is_any_enum(targ));
}

static bool core_names_equal(const struct btf *local_btf, uint32_t local_off,
			     const struct btf *targ_btf, uint32_t targ_off)
{
	const char *local = btf__name_by_offset(local_btf, local_off);
	const char *targ = btf__name_by_offset(targ_btf, targ_off);
	size_t local_len, targ_len;

	if (!local || !targ)
		return false;
	local_len = core_essential_name_len(local);
	targ_len = core_essential_name_len(targ);
	return local_len == targ_len && strncmp(local, targ, local_len) == 0;
}

/* Enums and forwards: one side anonymous, or the same essential name. */
static bool core_names_compat(const struct btf *local_btf, const struct btf_type *local,
			      const struct btf *targ_btf, const struct btf_type *targ)
{
	const char *local_name = btf__name_by_offset(local_btf, local->name_off);
	const char *targ_name = btf__name_by_offset(targ_btf, targ->name_off);

	if (!local_name || !targ_name || !local_name[0] || !targ_name[0])
		return true;
	return core_names_equal(local_btf, local->name_off, targ_btf, targ->name_off);
}

int core_fields_compat(const struct btf *local_btf, uint32_t local_id,
		       const struct btf *targ_btf, uint32_t targ_id)
{
	for (int depth = 0; depth < CORE_COMPAT_DEPTH; depth++) {
		const struct btf_type *local = core_skip_mods(local_btf, local_id, &local_id);
		const struct btf_type *targ = core_skip_mods(targ_btf, targ_id, &targ_id);

		if (!local || !targ)
			return -EINVAL;
		if (btf_is_composite(local) && btf_is_composite(targ))
			return 1;
		if (!core_kinds_compat(local, targ))
			return 0;
		switch (btf_kind(local)) {
		case BTF_KIND_PTR:
		case BTF_KIND_FLOAT:
			return 1;
		case BTF_KIND_FWD:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			return core_names_compat(local_btf, local, targ_btf, targ);
		case BTF_KIND_INT: /* bitfield-like ints of old BTF are not */
			return btf_int_offset(local) == 0 && btf_int_offset(targ) == 0;
		case BTF_KIND_ARRAY:
			local_id = btf_array(local)->type;
			targ_id = btf_array(targ)->type;
			continue;
		default:
			return 0;
		}
	}
	return -EINVAL;
}

static int core_types_compat_level(const struct btf *local_btf, uint32_t local_id,
				   const struct btf *targ_btf, uint32_t targ_id, int level);

static int core_protos_compat(const struct btf *local_btf, const struct btf_type *local,
			      const struct btf *targ_btf, const struct btf_type *targ, int level)
{
	const struct btf_param *local_p = btf_params(local), *targ_p = btf_params(targ);

	if (btf_vlen(local) != btf_vlen(targ))
		return 0;
	for (uint16_t i = 0; i < btf_vlen(local); i++) {
		uint32_t local_id = local_p[i].type, targ_id = targ_p[i].type;
		int ok;

		if (level <= 0)
			return -EINVAL;
		core_skip_mods(local_btf, local_id, &local_id);
		core_skip_mods(targ_btf, targ_id, &targ_id);
		ok = core_types_compat_level(local_btf, local_id, targ_btf, targ_id, level - 1);
		if (ok <= 0)
			return ok;
	}
	return 1;
}

static int core_types_compat_level(const struct btf *local_btf, uint32_t local_id,
				   const struct btf *targ_btf, uint32_t targ_id, int level)
{
	const struct btf_type *local = btf__type_by_id(local_btf, local_id);
	const struct btf_type *targ = btf__type_by_id(targ_btf, targ_id);

	if (!local || !targ)
		return -EINVAL;
	if (!core_kinds_compat(local, targ))
		return 0;
	for (int depth = 0; depth < CORE_COMPAT_DEPTH; depth++) {
		int ok;

		local = core_skip_mods(local_btf, local_id, &local_id);
		targ = core_skip_mods(targ_btf, targ_id, &targ_id);
		if (!local || !targ)
			return -EINVAL;
		if (!core_kinds_compat(local, targ))
			return 0;
		switch (btf_kind(local)) {
		case BTF_KIND_UNKN:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_FWD:
			return 1;
		case BTF_KIND_INT:
			return btf_int_offset(local) == 0 && btf_int_offset(targ) == 0;
		case BTF_KIND_PTR:
			local_id = local->type;
			targ_id = targ->type;
			continue;
		case BTF_KIND_ARRAY:
			local_id = btf_array(local)->type;
			targ_id = btf_array(targ)->type;
			continue;
		case BTF_KIND_FUNC_PROTO:
			ok = core_protos_compat(local_btf, local, targ_btf, targ, level);
			if (ok <= 0)
				return ok;
			local_id = local->type; /* then the return types */
			targ_id = targ->type;
			continue;
		default:
			return 0;
		}
	}
	return -EINVAL;
}

int core_types_compat(const struct btf *local_btf, uint32_t local_id,
		      const struct btf *targ_btf, uint32_t targ_id)
{
	return core_types_compat_level(local_btf, local_id, targ_btf, targ_id, CORE_MATCH_LEVEL);
}

/* ---- bpf_core_type_matches ---- */

/* Names for matching: an anonymous target matches only an anonymous local. */
static bool core_match_names(const struct btf *local_btf, uint32_t local_off,
			     const struct btf *targ_btf, uint32_t targ_off)
{
	const char *local = btf__name_by_offset(local_btf, local_off);
	const char *targ = btf__name_by_offset(targ_btf, targ_off);

	if (!local || !targ)
		return false;
	if (!targ[0])
		return !local[0];
	return core_names_equal(local_btf, local_off, targ_btf, targ_off);
}

static uint32_t core_enumerator_name(const struct btf_type *t, uint16_t i)
{
	return btf_is_enum(t) ? btf_enum(t)[i].name_off : btf_enum64(t)[i].name_off;
}

/* Every local enumerator has a namesake in the target, of the same size. */
static int core_enums_match(const struct btf *local_btf, const struct btf_type *local,
			    const struct btf *targ_btf, const struct btf_type *targ)
{
	if (local->size != targ->size || btf_vlen(local) > btf_vlen(targ))
		return 0;
	for (uint16_t i = 0; i < btf_vlen(local); i++) {
		bool found = false;

		for (uint16_t j = 0; j < btf_vlen(targ) && !found; j++)
			found = core_match_names(local_btf, core_enumerator_name(local, i),
						 targ_btf, core_enumerator_name(targ, j));
		if (!found)
			return 0;
	}
	return 1;
}

static int core_types_match_level(const struct btf *local_btf, uint32_t local_id,
				  const struct btf *targ_btf, uint32_t targ_id, bool behind_ptr,
				  int level);

/* Every local member has a namesake in the target whose type matches. */
static int core_composites_match(const struct btf *local_btf, const struct btf_type *local,
				 const struct btf *targ_btf, const struct btf_type *targ,
				 bool behind_ptr, int level)
{
	const struct btf_member *local_m = btf_members(local), *targ_m = btf_members(targ);

	if (btf_vlen(local) > btf_vlen(targ))
		return 0;
	for (uint16_t i = 0; i < btf_vlen(local); i++) {
		int found = 0;

		for (uint16_t j = 0; j < btf_vlen(targ) && !found; j++) {
			if (!core_match_names(local_btf, local_m[i].name_off, targ_btf,
					      targ_m[j].name_off))
				continue;
			found = core_types_match_level(local_btf, local_m[i].type, targ_btf,
						       targ_m[j].type, behind_ptr, level - 1);
			if (found < 0)
				return found;
		}
		if (!found)
			return 0;
	}
	return 1;
}

/* A forward declaration's kind flag says union (1) or struct (0). */
static int core_fwd_match(const struct btf_type *local, const struct btf_type *targ,
			  bool behind_ptr)
{
	bool local_union = btf_kflag(local);

	if (btf_kind(targ) == BTF_KIND_FWD)
		return local_union == btf_kflag(targ);
	if (!behind_ptr)
		return 0;
	return (btf_is_struct(targ) && !local_union) || (btf_is_union(targ) && local_union);
}

static int core_composite_match(const struct btf *local_btf, const struct btf_type *local,
				const struct btf *targ_btf, const struct btf_type *targ,
				bool behind_ptr, int level)
{
	if (behind_ptr) { /* a pointer to it: a forward of the same kind will do */
		if (btf_kind(local) == btf_kind(targ))
			return 1;
		return btf_kind(targ) == BTF_KIND_FWD && btf_is_union(local) == btf_kflag(targ);
	}
	if (btf_kind(local) != btf_kind(targ))
		return 0;
	return core_composites_match(local_btf, local, targ_btf, targ, behind_ptr, level);
}

static int core_protos_match(const struct btf *local_btf, const struct btf_type *local,
			     const struct btf *targ_btf, const struct btf_type *targ,
			     bool behind_ptr, int level)
{
	const struct btf_param *local_p = btf_params(local), *targ_p = btf_params(targ);

	if (btf_vlen(local) != btf_vlen(targ))
		return 0;
	for (uint16_t i = 0; i < btf_vlen(local); i++) {
		int ok = core_types_match_level(local_btf, local_p[i].type, targ_btf,
						targ_p[i].type, behind_ptr, level - 1);
		if (ok <= 0)
			return ok;
	}
	return 1;
}

static int core_types_match_level(const struct btf *local_btf, uint32_t local_id,
				  const struct btf *targ_btf, uint32_t targ_id, bool behind_ptr,
				  int level)
{
	if (level <= 0)
		return -EINVAL;
	for (int depth = 0; depth < CORE_COMPAT_DEPTH; depth++) {
		const struct btf_type *local = core_skip_mods(local_btf, local_id, &local_id);
		const struct btf_type *targ = core_skip_mods(targ_btf, targ_id, &targ_id);
		int ok;

		if (!local || !targ)
			return -EINVAL;
		if (!core_match_names(local_btf, local->name_off, targ_btf, targ->name_off))
			return 0;
		switch (btf_kind(local)) {
		case BTF_KIND_UNKN:
			return btf_kind(targ) == BTF_KIND_UNKN;
		case BTF_KIND_FWD:
			return core_fwd_match(local, targ, behind_ptr);
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			return btf_is_any_enum(targ) &&
			       core_enums_match(local_btf, local, targ_btf, targ);
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			return core_composite_match(local_btf, local, targ_btf, targ, behind_ptr,
						    level);
		case BTF_KIND_INT:
			return btf_is_int(targ) && local->size == targ->size &&
			       (btf_int_encoding(local) & BTF_INT_SIGNED) ==
				       (btf_int_encoding(targ) & BTF_INT_SIGNED);
		case BTF_KIND_PTR:
			if (!btf_is_ptr(targ))
				return 0;
			behind_ptr = true;
			local_id = local->type;
			targ_id = targ->type;
			continue;
		case BTF_KIND_ARRAY:
			if (!btf_is_array(targ) ||
			    btf_array(local)->nelems != btf_array(targ)->nelems)
				return 0;
			local_id = btf_array(local)->type;
			targ_id = btf_array(targ)->type;
			continue;
		case BTF_KIND_FUNC_PROTO:
			if (!btf_is_func_proto(targ))
				return 0;
			ok = core_protos_match(local_btf, local, targ_btf, targ, behind_ptr, level);
			if (ok <= 0)
				return ok;
			local_id = local->type;
			targ_id = targ->type;
			continue;
		default:
			return 0;
		}
	}
	return -EINVAL;
}

int core_types_match(const struct btf *local_btf, uint32_t local_id,
		     const struct btf *targ_btf, uint32_t targ_id)
{
	return core_types_match_level(local_btf, local_id, targ_btf, targ_id, false,
				      CORE_MATCH_LEVEL);
}
