/* The value a relocation puts in its instruction, from a spec: once for the
 * local spec (what clang compiled in, checked against the instruction) and
 * once for the target's, as libbpf's bpf_core_calc_relo.
 *
 * A bitfield is read as the smallest naturally aligned load that holds it,
 * then shifted left and right (BPF_CORE_READ_BITFIELD):
 *
 *   byte_off            byte_off + byte_sz
 *   |<----- load ------>|
 *   |   |<- bit_sz ->|  |       lshift_u64 = 64 - (bit_off + bit_sz - byte_off * 8)
 *       bit_off                 rshift_u64 = 64 - bit_sz      (little endian)
 */
#include <errno.h>
#include <string.h>

#include <bpf/btf.h>

#include "object/core_relo.h"

struct field_value {
	uint64_t val;
	uint32_t size;	  /* byte offsets of non-bitfields: the field's size */
	uint32_t type_id; /* and its type, for the load-size rule */
	bool validate;
};

static int calc_fail(const char **why, int err, const char *what)
{
	*why = what;
	return err;
}

/* An array element accessed as a[n]: only its offset and size make sense. */
static int calc_element(const struct core_spec *spec, const struct core_accessor *acc,
			struct field_value *out, const char **why)
{
	int64_t size = btf__resolve_size(spec->btf, acc->type_id);

	if (size < 0)
		return calc_fail(why, -EINVAL, "array element size unknown");
	out->validate = true;
	if (spec->kind == BPF_CORE_FIELD_BYTE_OFFSET) {
		out->val = spec->bit_offset / 8;
		out->size = (uint32_t)size;
		out->type_id = acc->type_id;
		return 0;
	}
	if (spec->kind == BPF_CORE_FIELD_BYTE_SIZE) {
		out->val = (uint64_t)size;
		return 0;
	}
	return calc_fail(why, -EINVAL, "relocation kind does not apply to an array element");
}

/* The smallest power-of-two load holding a bitfield, up to 8 bytes. */
static int calc_bitfield_load(uint64_t bit_off, uint32_t bit_sz, uint32_t type_sz,
			      uint32_t *byte_off, uint32_t *byte_sz, const char **why)
{
	*byte_sz = type_sz ? type_sz : 1;
	*byte_off = (uint32_t)(bit_off / 8 / *byte_sz * *byte_sz);
	while (bit_off + bit_sz - (uint64_t)*byte_off * 8 > (uint64_t)*byte_sz * 8) {
		if (*byte_sz >= 8)
			return calc_fail(why, -E2BIG, "bitfield cannot be read with a 64-bit load");
		*byte_sz *= 2;
		*byte_off = (uint32_t)(bit_off / 8 / *byte_sz * *byte_sz);
	}
	return 0;
}

static bool calc_is_signed(const struct btf_type *t)
{
	if (btf_is_any_enum(t))
		return btf_kflag(t);
	return btf_is_int(t) && (btf_int_encoding(t) & BTF_INT_SIGNED);
}

static int calc_field(const struct core_spec *spec, struct field_value *out, const char **why)
{
	const struct core_accessor *acc = &spec->acc[spec->len - 1];
	const struct btf_type *holder, *mt;
	uint32_t bit_sz, byte_off, byte_sz, field_id;
	uint64_t bit_off = spec->bit_offset;
	bool bitfield;
	int err;

	if (!acc->name)
		return calc_element(spec, acc, out, why);
	holder = btf__type_by_id(spec->btf, acc->type_id);
	mt = core_skip_mods(spec->btf, btf_members(holder)[acc->idx].type, &field_id);
	if (!mt)
		return calc_fail(why, -EINVAL, "field type invalid");
	bit_sz = btf_member_bitfield_size(holder, acc->idx);
	bitfield = bit_sz > 0;
	if (bitfield) {
		err = calc_bitfield_load(bit_off, bit_sz, mt->size, &byte_off, &byte_sz, why);
		if (err)
			return err;
	} else {
		int64_t size = btf__resolve_size(spec->btf, field_id);

		if (size < 0)
			return calc_fail(why, -EINVAL, "field size unknown");
		byte_sz = (uint32_t)size;
		byte_off = (uint32_t)(bit_off / 8);
		bit_sz = byte_sz * 8;
	}
	/* clang and libbpf may choose different loads for bitfields: only the
	 * shifts that do not depend on it are checked. */
	out->validate = !bitfield;
	switch (spec->kind) {
	case BPF_CORE_FIELD_BYTE_OFFSET:
		out->val = byte_off;
		if (!bitfield) {
			out->size = byte_sz;
			out->type_id = field_id;
		}
		return 0;
	case BPF_CORE_FIELD_BYTE_SIZE:
		out->val = byte_sz;
		return 0;
	case BPF_CORE_FIELD_SIGNED:
		out->val = calc_is_signed(mt);
		out->validate = true;
		return 0;
	case BPF_CORE_FIELD_LSHIFT_U64:
		out->val = 64 - (bit_off + bit_sz - (uint64_t)byte_off * 8);
		return 0;
	case BPF_CORE_FIELD_RSHIFT_U64:
		out->val = 64 - bit_sz;
		out->validate = true;
		return 0;
	default:
		return calc_fail(why, -EINVAL, "unknown field relocation kind");
	}
}

/* Type relocations: 0 when no target type matched. */
static int calc_type(const struct core_spec *spec, uint64_t *val, const char **why)
{
	int64_t size;

	if (!spec) {
		*val = 0;
		return 0;
	}
	switch (spec->kind) {
	case BPF_CORE_TYPE_ID_LOCAL:
	case BPF_CORE_TYPE_ID_TARGET:
		*val = spec->root_type_id;
		return 0;
	case BPF_CORE_TYPE_EXISTS:
	case BPF_CORE_TYPE_MATCHES:
		*val = 1;
		return 0;
	case BPF_CORE_TYPE_SIZE:
		size = btf__resolve_size(spec->btf, spec->root_type_id);
		if (size < 0)
			return calc_fail(why, -EINVAL, "type size unknown");
		*val = (uint64_t)size;
		return 0;
	default:
		return calc_fail(why, -EINVAL, "unknown type relocation kind");
	}
}

static int calc_enumval(uint32_t kind, const struct core_spec *spec, uint64_t *val,
			bool *poison)
{
	const struct btf_type *t;

	if (kind == BPF_CORE_ENUMVAL_EXISTS) {
		*val = spec != NULL;
		return 0;
	}
	if (!spec) {
		*poison = true;
		return 0;
	}
	t = btf__type_by_id(spec->btf, spec->acc[0].type_id);
	if (btf_is_enum(t)) /* a 32-bit value, sign-extended as in libbpf */
		*val = (uint64_t)(int64_t)btf_enum(t)[spec->acc[0].idx].val;
	else
		*val = btf_enum64_value(btf_enum64(t) + spec->acc[0].idx);
	return 0;
}

/* Changing a load's size is safe for pointers (a 32-bit kernel's) and
 * unsigned integers only: the value zero-extends the same. */
static bool calc_memsz_adjust_ok(const struct core_spec *local, const struct core_spec *targ,
				 const struct core_result *res)
{
	const struct btf_type *orig = btf__type_by_id(local->btf, res->orig_type_id);
	const struct btf_type *new = btf__type_by_id(targ->btf, res->new_type_id);

	if (!orig || !new)
		return false;
	if (btf_is_ptr(orig) && btf_is_ptr(new))
		return true;
	return btf_is_int(orig) && btf_is_int(new) &&
	       !(btf_int_encoding(orig) & BTF_INT_SIGNED) &&
	       !(btf_int_encoding(new) & BTF_INT_SIGNED);
}

static int calc_field_relo(const struct core_spec *local, const struct core_spec *targ,
			   struct core_result *res, const char **why)
{
	struct field_value orig = { 0 }, new = { 0 };
	int err;

	if (local->kind == BPF_CORE_FIELD_EXISTS) {
		res->orig_val = 1;
		res->new_val = targ != NULL;
		return 0;
	}
	err = calc_field(local, &orig, why);
	if (err)
		return err;
	res->orig_val = orig.val;
	res->orig_sz = orig.size;
	res->orig_type_id = orig.type_id;
	res->validate = orig.validate;
	if (!targ) {
		res->poison = true;
		return 0;
	}
	err = calc_field(targ, &new, why);
	if (err)
		return err;
	res->new_val = new.val;
	res->new_sz = new.size;
	res->new_type_id = new.type_id;
	if (res->orig_sz != res->new_sz)
		res->fail_memsz_adjust = !calc_memsz_adjust_ok(local, targ, res);
	return 0;
}

int core_calc(const struct core_spec *local, const struct core_spec *targ,
	      struct core_result *res, const char **why)
{
	int err;

	memset(res, 0, sizeof(*res));
	res->validate = true;
	if (core_kind_is_field(local->kind))
		return calc_field_relo(local, targ, res, why);
	if (core_kind_is_type(local->kind)) {
		err = calc_type(local, &res->orig_val, why);
		if (!err)
			err = calc_type(targ, &res->new_val, why);
		/* A type id may change when objects are linked: not checked. */
		if (local->kind == BPF_CORE_TYPE_ID_TARGET)
			res->validate = false;
		return err;
	}
	err = calc_enumval(local->kind, local, &res->orig_val, &res->poison);
	if (!err)
		err = calc_enumval(local->kind, targ, &res->new_val, &res->poison);
	return err;
}
