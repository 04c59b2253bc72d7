/* Where a map value holds its struct bpf_spin_lock, as the kernel finds it in
 * the value's BTF when the map is created (kernel/bpf/btf.c btf_parse_fields,
 * for the one special field bpfvm knows), and what libbpf makes of the
 * kernel's answer.
 *
 * The kernel's search, for a value type (typedefs skipped) that is a struct,
 * a union or a DATASEC (global data):
 *   - each member (each variable of a DATASEC) is looked at through its
 *     arrays: a type named "bpf_spin_lock" is a lock if it is a 4-byte
 *     struct at a 4-byte aligned offset; a lock in an array is an error;
 *   - a member of another struct type is searched the same way (nested
 *     structs, Linux 6.10+), an array of them that holds a lock is an error;
 *   - two locks among the members of one struct are an error (-E2BIG);
 *   - a DATASEC variable whose size is not its type's counts for nothing.
 * An error there is not a failure: the map is created without the record
 * (map_check_btf ignores it), so the value has no lock.
 *
 * The kernel also runs that search over every struct of the object's BTF
 * that has a bpf_spin_lock member when the BTF is loaded
 * (btf_parse_struct_metas); an error there makes it refuse the BTF, and
 * libbpf then loads the object without BTF: no map of it has a lock.
 *
 * A lock in a value of a map type other than ARRAY and HASH (-EOPNOTSUPP)
 * or of a map read-only or write-only to programs (-EACCES) makes the
 * kernel refuse the map; libbpf creates it again without BTF, so it has no
 * lock either. Each of these cases leaves a note on the object. */
#include <errno.h>
#include <string.h>

#include <bpf/btf.h>
#include <linux/btf.h>

#include "object/elf_reader.h"
#include "object/sym_index.h"

#define SPIN_LOCK_MAX_DEPTH 32 /* MAX_RESOLVE_DEPTH */
#define SPIN_LOCK_SIZE 4u

/* The locks found so far: how many, and the last one's offset (the one
 * the kernel keeps as spin_lock_off). */
struct spin_lock_found {
	uint32_t count;
	uint32_t off;
};

static bool spin_lock_is_struct(const struct btf_type *t)
{
	return btf_is_struct(t) || btf_is_union(t);
}

static int spin_lock_search_struct(const struct btf *btf, const struct btf_type *t,
				   uint32_t base, struct spin_lock_found *found, uint32_t level);

/* A struct member (or DATASEC variable) of type `type` at `off`; returns
 * the number of locks it holds or a negative errno, as btf_find_field_one. */
static int spin_lock_search_one(const struct btf *btf, const struct btf_type *type,
				uint32_t off, uint32_t expected_size, bool *seen,
				struct spin_lock_found *found, uint32_t level)
{
	const char *name;
	uint64_t nelems = 1;
	int depth, count;

	for (depth = 0; depth < SPIN_LOCK_MAX_DEPTH && type && btf_is_array(type); depth++) {
		nelems *= btf_array(type)->nelems;
		type = btf__type_by_id(btf, btf_array(type)->type);
	}
	if (depth == SPIN_LOCK_MAX_DEPTH)
		return -E2BIG;
	if (!type || nelems == 0)
		return 0;
	name = btf__name_by_offset(btf, type->name_off);
	if (!name || strcmp(name, "bpf_spin_lock") != 0) {
		if (!spin_lock_is_struct(type) ||
		    (expected_size && expected_size != type->size * nelems))
			return 0;
		if (level + 1 >= SPIN_LOCK_MAX_DEPTH)
			return -E2BIG;
		count = spin_lock_search_struct(btf, type, off, found, level + 1);
		/* btf_repeat_fields: a lock cannot be repeated. */
		return count > 0 && nelems > 1 ? -EINVAL : count;
	}
	if (*seen)
		return -E2BIG;
	*seen = true;
	if ((expected_size && expected_size != SPIN_LOCK_SIZE * nelems) || off % SPIN_LOCK_SIZE ||
	    !spin_lock_is_struct(type) || type->size != SPIN_LOCK_SIZE)
		return 0;
	if (nelems > 1)
		return -EINVAL;
	/* btf_parse_fields: fields in increasing, non-overlapping order. */
	if (found->count && off < found->off + SPIN_LOCK_SIZE)
		return -EEXIST;
	found->count++;
	found->off = off;
	return 1;
}

static int spin_lock_search_struct(const struct btf *btf, const struct btf_type *t,
				   uint32_t base, struct spin_lock_found *found, uint32_t level)
{
	const struct btf_member *member = btf_members(t);
	bool seen = false;
	int total = 0;

	for (uint16_t i = 0; i < btf_vlen(t); i++, member++) {
		uint32_t bit_off = btf_member_bit_offset(t, i);
		int count;

		if (bit_off % 8)
			return -EINVAL;
		count = spin_lock_search_one(btf, btf__type_by_id(btf, member->type),
					     base + bit_off / 8, 0, &seen, found, level);
		if (count < 0)
			return count;
		total += count;
	}
	return total;
}

/* Each variable at its place in the section: its symbol's value, as
 * libbpf's btf_fixup_datasec (clang leaves the offsets 0), from an index
 * of the symbols (a scan per variable was quadratic). */
static int spin_lock_search_datasec(const struct elf_reader *reader, const struct btf_type *t,
				    uint32_t sec_idx, struct spin_lock_found *found)
{
	const struct btf *btf = reader->btf;
	const struct btf_var_secinfo *vsi = btf_var_secinfos(t);
	struct sym_index names;
	bool seen = false;
	int err = 0;

	if (sym_index_names(&names, reader))
		return -ENOMEM;
	for (uint16_t i = 0; !err && i < btf_vlen(t); i++, vsi++) {
		const struct btf_type *var = btf__type_by_id(btf, vsi->type);
		const char *name = var ? btf__name_by_offset(btf, var->name_off) : NULL;
		uint32_t off;
		int count;

		if (!var || !btf_is_var(var) || !name ||
		    !sym_index_value_of(&names, sec_idx, name, -1, &off))
			continue;
		count = spin_lock_search_one(btf, btf__type_by_id(btf, var->type), off, vsi->size,
					     &seen, found, 0);
		if (count < 0)
			err = count;
	}
	sym_index_free(&names);
	return err;
}

/* What the kernel records for a value of type `t`: 1 with *off set, 0 for
 * no lock, or the error that leaves the map without a record. */
static int spin_lock_of_value(const struct elf_reader *reader, const struct btf_type *t,
			      uint32_t sec_idx, uint32_t *off)
{
	struct spin_lock_found found = { 0 };
	int err;

	if (!t)
		return -EINVAL;
	if (spin_lock_is_struct(t))
		err = spin_lock_search_struct(reader->btf, t, 0, &found, 0);
	else if (btf_is_datasec(t))
		err = spin_lock_search_datasec(reader, t, sec_idx, &found);
	else
		return -EINVAL;
	if (err < 0)
		return err;
	*off = found.off;
	return found.count ? 1 : 0;
}

/* btf_parse_struct_metas: the first struct whose bpf_spin_lock members the
 * kernel refuses, or 0. */
static uint32_t spin_lock_refused_struct(const struct elf_reader *reader, int *err)
{
	const struct btf *btf = reader->btf;
	int lock_id = btf__find_by_name_kind(btf, "bpf_spin_lock", BTF_KIND_STRUCT);
	uint32_t off;

	if (lock_id <= 0)
		return 0;
	for (uint32_t id = 1; id < btf__type_cnt(btf); id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_member *member;
		bool has_lock = false;

		if (!spin_lock_is_struct(t))
			continue;
		member = btf_members(t);
		for (uint16_t i = 0; i < btf_vlen(t) && !has_lock; i++)
			has_lock = member[i].type == (uint32_t)lock_id;
		if (has_lock && (*err = spin_lock_of_value(reader, t, 0, &off)) < 0)
			return id;
	}
	return 0;
}

/* The lock of one map definition, after the map-type rules. */
static int spin_lock_set(struct elf_reader *reader, const char *map_name,
			 struct object_map_def *def, const struct btf_type *value, uint32_t sec_idx)
{
	uint32_t off;
	int found = spin_lock_of_value(reader, value, sec_idx, &off);

	if (found <= 0)
		return 0;
	if (def->type != BPF_MAP_TYPE_ARRAY && def->type != BPF_MAP_TYPE_HASH)
		return reader_note(reader, "map '%s': its value's bpf_spin_lock is ignored: the "
				   "kernel allows one only in array and hash maps, and libbpf "
				   "then creates the map without BTF", map_name);
	if (def->map_flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG))
		return reader_note(reader, "map '%s': its value's bpf_spin_lock is ignored: the "
				   "kernel refuses one in a map read-only or write-only to "
				   "programs, and libbpf then creates the map without BTF",
				   map_name);
	def->has_spin_lock = true;
	def->spin_lock_off = off;
	return 0;
}

static int spin_lock_set_map(struct elf_reader *reader, struct object_map *map)
{
	const struct btf *btf = reader->btf;
	int err = 0;

	if (map->kind == OBJECT_MAP_BTF) {
		uint32_t value = map->def.btf_value_type_id, inner = map->inner.btf_value_type_id;

		if (value)
			err = spin_lock_set(reader, map->name, &map->def,
					    reader_btf_skip_mods(btf, value), 0);
		if (!err && map->has_inner && inner)
			err = spin_lock_set(reader, map->name, &map->inner,
					    reader_btf_skip_mods(btf, inner), 0);
	} else if (map->kind != OBJECT_MAP_LEGACY) {
		int id = btf__find_by_name_kind(btf, map->real_name, BTF_KIND_DATASEC);

		if (id > 0)
			err = spin_lock_set(reader, map->name, &map->def,
					    btf__type_by_id(btf, (uint32_t)id), map->sec_idx);
	}
	return err;
}

int reader_find_spin_locks(struct elf_reader *reader)
{
	uint32_t refused;
	int err = 0;

	if (!reader->btf)
		return 0;
	refused = spin_lock_refused_struct(reader, &err);
	if (refused)
		return reader_note(reader, "BTF type #%u: its bpf_spin_lock members make the "
				   "kernel refuse the object's BTF (%d); libbpf loads the object "
				   "without it, so no map value has a bpf_spin_lock", refused, err);
	for (uint32_t i = 0; i < reader->file->map_cnt; i++) {
		err = spin_lock_set_map(reader, &reader->file->maps[i]);
		if (err)
			return err;
	}
	return 0;
}
