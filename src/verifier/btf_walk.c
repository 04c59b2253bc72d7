/* Loads through a kernel object typed by BTF (PTR_TO_BTF_ID): the kernel's
 * check_ptr_to_btf_access and btf_struct_walk (Linux 6.18), in its words.
 *
 * The load at [off, off + size) must fall in one field of the struct,
 * walked down through nested structs, unions and arrays (an array of
 * structs as its elements, an array of integers as scratch space):
 *
 *   an integer, enum, bitfield (whole)   a scalar
 *   a pointer to a struct, whole         a kernel object of that struct
 *   a pointer to anything else, whole    read-only memory of unknown size
 *   part of a pointer                    refused
 *   past the struct, in a hole           refused
 *
 * Stores are refused ("only read is supported"). How far a loaded pointer
 * is trusted follows the kernel: from a trusted or RCU object, the fields
 * its BTF lists as safe (<struct>__safe_trusted, __safe_rcu, ..._or_null:
 * types the kernel emits in vmlinux for this) stay trusted or become RCU
 * pointers, maybe NULL for the _or_null lists; any other field gives a
 * plain pointer, as does anything read from a plain one; a walk through a
 * union of several members gives an untrusted one. Helpers take plain,
 * trusted and RCU pointers, not untrusted ones. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "progtypes/btf_ctx.h"
#include "verifier/btf_walk.h"

enum walk_result { WALK_SCALAR, WALK_PTR, WALK_PTR_MEM, WALK_STRUCT };

/* One step of the walk: where it is and what it found. */
struct walk {
	struct types_env *env;
	uint32_t idx;
	const struct btf *btf;
	uint32_t next_id;   /* WALK_PTR, WALK_STRUCT */
	uint8_t flags;	    /* BTF_PTR_UNTRUSTED once through a union */
	const char *field; /* WALK_PTR: the pointer's member name */
};

/* A refusal in the kernel's words; quiet when only matching types. */
static int walk_fail(struct walk *w, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int walk_fail(struct walk *w, int err, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!w->env)
		return err;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return types_error(w->env, w->idx, err, "%s", msg);
}

/* __btf_resolve_size: a member's type, modifiers skipped, its size, and
 * for an array (several dimensions as one) its innermost element. */
struct member_type {
	const struct btf_type *t;
	uint32_t id, size;
	const struct btf_type *elem;
	uint32_t elem_id, nelems;
};

static bool resolve_member(const struct btf *btf, uint32_t type_id, struct member_type *m)
{
	long size;

	memset(m, 0, sizeof(*m));
	m->t = btf_ctx_skip_mods(btf, type_id, &m->id);
	m->nelems = 1;
	m->elem = m->t;
	m->elem_id = m->id;
	while (m->elem && btf_is_array(m->elem)) {
		m->nelems *= btf_array(m->elem)->nelems;
		m->elem = btf_ctx_skip_mods(btf, btf_array(m->elem)->type, &m->elem_id);
	}
	size = m->t ? btf__resolve_size(btf, m->id) : -1;
	if (size < 0)
		return false;
	m->size = (uint32_t)size;
	return true;
}

/* The kernel's relaxation for a flexible array at the struct's end: an
 * access past the struct lands in its elements. Returns the struct to walk
 * on (and *off in it), or NULL. */
static const struct btf_type *flex_elem(const struct btf *btf, const struct btf_type *t,
					uint32_t *off, bool *scalar)
{
	const struct btf_member *last;
	const struct btf_type *mt, *et;
	uint32_t moff;

	if (!btf_vlen(t))
		return NULL;
	last = btf_members(t) + btf_vlen(t) - 1;
	mt = btf_ctx_skip_mods(btf, last->type, NULL);
	moff = btf_member_bit_offset(t, btf_vlen(t) - 1) / 8;
	if (!mt || !btf_is_array(mt) || btf_array(mt)->nelems || *off < moff)
		return NULL;
	et = btf_ctx_skip_mods(btf, btf_array(mt)->type, NULL);
	*scalar = et && btf_is_int(et);
	if (*scalar || !et || !btf_is_composite(et) || !et->size)
		return *scalar ? et : NULL;
	*off = (*off - moff) % et->size;
	return et;
}

/* A pointer member: whole, and to a struct, it is a kernel object. */
static int walk_ptr(struct walk *w, const struct btf_type *t, const struct member_type *m,
		    const char *mname, uint32_t moff, uint32_t off, uint32_t size)
{
	const struct btf_type *st;

	if (m->size != size || off != moff)
		return walk_fail(w, -EACCES,
				   "cannot access ptr member %s with moff %u in struct %s with off "
				   "%u size %u", mname, moff, btf__name_by_offset(w->btf, t->name_off),
				   off, size);
	st = btf_ctx_skip_mods(w->btf, m->t->type, &w->next_id);
	if (st && btf_is_composite(st)) {
		w->field = mname;
		return WALK_PTR;
	}
	return WALK_PTR_MEM;
}

/* btf_struct_walk over the members of t, a struct or union. */
static int walk_members(struct walk *w, const struct btf_type *t, uint32_t *off, uint32_t size,
			const struct btf_type **nested)
{
	const char *tname = btf__name_by_offset(w->btf, t->name_off);
	struct member_type m;

	for (uint32_t i = 0; i < btf_vlen(t); i++) {
		const struct btf_member *member = btf_members(t) + i;
		const char *mname = btf__name_by_offset(w->btf, member->name_off);
		uint32_t moff = btf_member_bit_offset(t, i) / 8, end;

		if (*off + size <= moff)
			break;
		if (btf_member_bitfield_size(t, i)) {
			end = btf_member_bit_offset(t, i) + btf_member_bitfield_size(t, i);
			if (*off <= moff && (end + 7) / 8 <= *off + size)
				return WALK_SCALAR;
			continue;
		}
		if (*off < moff)
			break;
		if (!resolve_member(w->btf, member->type, &m))
			return walk_fail(w, -EFAULT, "field %s doesn't have size",
					   mname);
		end = moff + m.size;
		if (*off >= end)
			continue;
		if (btf_is_array(m.t)) {
			if (moff == end)
				continue;
			moff += (*off - moff) / (m.size / m.nelems) * (m.size / m.nelems);
			m.size /= m.nelems;
			m.t = m.elem;
			m.id = m.elem_id;
		}
		if (m.t && btf_is_composite(m.t)) {
			*nested = m.t;
			w->next_id = m.id;
			if (*off == moff)
				return WALK_STRUCT;
			*off -= moff;
			return -EAGAIN;
		}
		if (m.t && btf_is_ptr(m.t))
			return walk_ptr(w, t, &m, mname, moff, *off, size);
		/* An integer, or an array of them as scratch space (skb->cb). */
		if (*off + size > end && !(w->flags & BTF_PTR_UNTRUSTED))
			return walk_fail(w, -EACCES, "access beyond the end of member "
					   "%s (mend:%u) in struct %s with off %u size %u", mname,
					   end, tname, *off, size);
		return WALK_SCALAR;
	}
	return walk_fail(w, -EINVAL, "struct %s doesn't have field at offset %d",
			   tname, (int)*off);
}

/* btf_struct_walk, and btf_struct_access's loop over the structs it finds:
 * the field of t at off, size. */
static int struct_walk(struct walk *w, const struct btf_type *t, uint32_t off, uint32_t size)
{
	const struct btf_type *nested;
	bool scalar = false;
	int res;

	for (;;) {
		t = btf_is_mod(t) || btf_is_typedef(t) ? btf_ctx_skip_mods(w->btf, t->type, NULL) : t;
		if (!t || !btf_is_composite(t))
			return walk_fail(w, -EINVAL, "Type '%s' is not a struct",
					   t ? btf__name_by_offset(w->btf, t->name_off) : "");
		if (btf_is_union(t) && btf_vlen(t) != 1)
			w->flags |= BTF_PTR_UNTRUSTED;
		if (off + size > t->size) {
			const char *tname = btf__name_by_offset(w->btf, t->name_off);
			uint32_t flex_off = off;
			const struct btf_type *et = flex_elem(w->btf, t, &flex_off, &scalar);

			if (scalar)
				return WALK_SCALAR;
			if (!et)
				return walk_fail(w, -EACCES,
						   "access beyond struct %s at off %u size %u", tname,
						   off, size);
			t = et;
			off = flex_off;
			continue;
		}
		res = walk_members(w, t, &off, size, &nested);
		/* A member struct or union at off: the kernel's
		 * btf_struct_access walks on into it from its start, so a
		 * pointer in an anonymous union (bpf_iter_meta's seq) is
		 * found as a pointer, and an access wider than the member
		 * is refused there. */
		if (res == WALK_STRUCT)
			off = 0;
		else if (res != -EAGAIN)
			return res;
		t = nested;
	}
}

/* btf_nested_type_is_trusted: whether <reg's struct><suffix>, which the
 * kernel's BTF holds for this, has a pointer member `field` to next_id. */
static bool field_listed(const struct btf *btf, uint32_t struct_id, const char *field,
			 uint32_t next_id, const char *suffix)
{
	const struct btf_type *t = btf__type_by_id(btf, struct_id), *safe;
	char name[256];
	uint32_t safe_id, id;

	snprintf(name, sizeof(name), "%s%s", btf__name_by_offset(btf, t->name_off), suffix);
	safe_id = btf_ctx_find(name, btf_kind(t));
	safe = safe_id ? btf__type_by_id(btf, safe_id) : NULL;
	for (uint32_t i = 0; safe && i < btf_vlen(safe); i++) {
		const struct btf_member *m = btf_members(safe) + i;
		const struct btf_type *mt = btf__type_by_id(btf, m->type);

		if (!mt || !btf_is_ptr(mt))
			continue;
		btf_ctx_skip_mods(btf, mt->type, &id);
		if (id == next_id && strcmp(btf__name_by_offset(btf, m->name_off), field) == 0)
			return true;
	}
	return false;
}

/* check_ptr_to_btf_access's flags for a pointer loaded from reg's object
 * (w->flags: BTF_PTR_UNTRUSTED after a union). Returns REG_MAYBE_NULL for
 * a field listed as maybe NULL, else 0. */
static uint16_t loaded_flags(const struct types_env *env, const struct btf *btf,
			     const struct reg_state *reg, const struct walk *w, uint8_t *flags)
{
	bool trusted = (reg->btf_flags & (BTF_PTR_TRUSTED | BTF_PTR_RCU)) &&
		       !(reg->btf_flags & BTF_PTR_UNTRUSTED);
	bool in_rcu = !(env->prog->prog_flags & BPF_F_SLEEPABLE);

	*flags = w->flags | (reg->btf_flags & BTF_PTR_UNTRUSTED);
	if (!trusted)
		return 0;
	if (field_listed(btf, reg->btf_id, w->field, w->next_id, "__safe_trusted")) {
		*flags |= BTF_PTR_TRUSTED;
		return 0;
	}
	if (field_listed(btf, reg->btf_id, w->field, w->next_id, "__safe_trusted_or_null")) {
		*flags |= BTF_PTR_TRUSTED;
		return REG_MAYBE_NULL;
	}
	if (in_rcu && field_listed(btf, reg->btf_id, w->field, w->next_id, "__safe_rcu")) {
		*flags |= BTF_PTR_RCU;
		return 0;
	}
	if (in_rcu && field_listed(btf, reg->btf_id, w->field, w->next_id, "__safe_rcu_or_null")) {
		*flags = BTF_PTR_RCU; /* always trusted, even through a union */
		return REG_MAYBE_NULL;
	}
	return 0;
}

static int check_bounds(struct types_env *env, uint32_t idx, uint8_t regno,
			const struct reg_state *reg, const char *tname, int32_t off)
{
	char tn[48];

	if (!env->prog->gpl_compatible)
		return types_error(env, idx, -EINVAL, "Cannot access kernel 'struct %s' from "
				   "non-GPL compatible program", tname);
	if (off < 0)
		return types_error(env, idx, -EACCES, "R%u is ptr_%s invalid negative access: "
				   "off=%d", regno, tname, off);
	if (!tnum_is_const(reg->var_off) || reg->var_off.value) {
		tnum_format(tn, sizeof(tn), reg->var_off);
		return types_error(env, idx, -EACCES, "R%u is ptr_%s invalid variable offset: "
				   "off=%d, var_off=%s", regno, tname, off, tn);
	}
	return 0;
}

int btf_walk_access(struct types_env *env, uint32_t idx, uint8_t regno,
		    const struct reg_state *reg, int32_t off, uint32_t size, bool write,
		    struct reg_state *dst)
{
	struct walk w = { .env = env, .idx = idx, .btf = btf_ctx_kernel() };
	const char *tname = btf_ctx_name(w.btf, reg->btf_id);
	uint16_t maybe_null;
	uint8_t flags, no_object;
	int res = check_bounds(env, idx, regno, reg, tname, off);

	if (res)
		return res;
	if (write)
		return types_error(env, idx, -EACCES, "only read is supported");
	res = struct_walk(&w, btf__type_by_id(w.btf, reg->btf_id), (uint32_t)off, size);
	if (res < 0 || !dst)
		return res < 0 ? res : 0;
	/* What a cast of a socket points to has no object here (types_sock.c):
	 * nor has what is read out of it, so its reads stay the kernel's
	 * fault-handling loads in every program type. */
	no_object = reg->btf_flags & BTF_PTR_NO_OBJECT;
	if (res == WALK_PTR_MEM) {
		reg_mark_pointer(dst, REG_PTR_TO_BTF_ID, 0);
		dst->btf_flags = BTF_PTR_MEM | BTF_PTR_UNTRUSTED | no_object;
		return 0;
	}
	if (res != WALK_PTR) {
		reg_mark_unknown(dst);
		return 0;
	}
	maybe_null = loaded_flags(env, w.btf, reg, &w, &flags);
	reg_mark_pointer(dst, REG_PTR_TO_BTF_ID | maybe_null, 0);
	dst->btf_id = w.next_id;
	dst->btf_flags = flags | no_object;
	if (maybe_null)
		dst->id = ++env->next_id;
	return 0;
}

/* btf_struct_ids_match, not strict: the object at off of struct id is a
 * want, or begins with one (struct sock begins with its sock_common). */
bool btf_walk_ids_match(uint32_t id, int32_t off, uint32_t want)
{
	struct walk w = { .env = NULL, .btf = btf_ctx_kernel() };
	const struct btf_type *t, *nested;
	uint32_t uoff = (uint32_t)off;
	int res;

	if (off == 0 && id == want)
		return true;
	t = btf_ctx_skip_mods(w.btf, id, NULL);
	for (;;) {
		if (!t || !btf_is_composite(t) || uoff + 1 > t->size)
			return false;
		res = walk_members(&w, t, &uoff, 1, &nested);
		t = btf_ctx_skip_mods(w.btf, w.next_id, NULL);
		if (res == -EAGAIN)
			continue; /* inside a member struct: uoff is in it now */
		if (res != WALK_STRUCT)
			return false;
		if (w.next_id == want)
			return true;
		uoff = 0;
	}
}
