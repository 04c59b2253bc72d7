/* Loading an opened object, in libbpf's order (bpf_object_load):
 *
 *   1. maps: each reused (a given map, or the one at its pin path: pin.c),
 *      or created with map_create() and then pinned if it has a pin path;
 *      a map-in-map gets its inner
 *      map template created first and dropped after (the outer map keeps
 *      the template's attributes); global data filled with the section's
 *      bytes, .rodata* then frozen (bpfvm_map_freeze, as libbpf's
 *      BPF_MAP_FREEZE); map-in-map slots set (init_map_in_map_slots)
 *   2. programs: lddw of a map becomes src_reg BPF_PSEUDO_MAP_IDX, of a map
 *      value BPF_PSEUDO_MAP_IDX_VALUE (insn[1].imm = offset in the value),
 *      imm = index in prog->maps[], which holds one reference per map; then
 *      prog_prepare(); then the owner rule for every prog array the program
 *      references (the kernel checks it after verification, before the id:
 *      here the id is already given, and the failed load drops it on close)
 *   3. prog arrays: statically initialised slots set to program ids
 *      (init_prog_array_slots), the owner rule applying to each
 *
 * Programs whose autoload is off (bpfvm_prog_set_autoload) are skipped in
 * step 2, and the slots that name them left empty in step 3.
 *
 * Values are written through the public map API, so that the kernel's checks
 * apply to what the loader writes as to what a user writes.
 *
 * A failed load leaves the object good only for closing, as libbpf. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "core/error.h"
#include "core/runtime.h"
#include "engine/prog.h"
#include "isa/isa.h"
#include "loader/loader.h"
#include "maps/map.h"
#include "maps/prog_array.h"

/* Puts the file, and the section for programs, before the message that a
 * lower layer recorded, without repeating the name that it already starts
 * with ("map 'x': " from map_create, "prog: " from prog_prepare). */
static int load_error(const struct bpfvm_object *obj, int err, const char *context,
		      const char *lower_prefix)
{
	const char *lower = bpfvm_errmsg();
	char inner[1024];

	if (lower_prefix && strncmp(lower, lower_prefix, strlen(lower_prefix)) == 0)
		lower += strlen(lower_prefix);
	snprintf(inner, sizeof(inner), "%s", lower);
	vm_error("%s: %s: %s (%d)", obj->file->path, context, inner, err);
	return err;
}

static int load_map_error(const struct bpfvm_object *obj, int err, const char *name,
			  const char *what)
{
	char context[512], prefix[256];

	snprintf(context, sizeof(context), "map '%s': %s", name, what);
	snprintf(prefix, sizeof(prefix), "map '%.15s': ", name);
	return load_error(obj, err, context, prefix);
}

static int load_prog_error(const struct bpfvm_object *obj, int err, const struct bpfvm_prog *prog)
{
	char context[512], prefix[256];

	snprintf(context, sizeof(context), "section '%s': program '%s'", prog->section,
		 prog->name);
	snprintf(prefix, sizeof(prefix), "%s: ", prog->name);
	return load_error(obj, err, context, prefix);
}

void loader_map_attr(const struct bpfvm_object *obj, const char *name,
		     const struct object_map_def *def, struct map_attr *attr)
{
	memset(attr, 0, sizeof(*attr));
	attr->type = def->type;
	attr->key_size = def->key_size;
	attr->value_size = def->value_size;
	attr->max_entries = def->max_entries;
	attr->map_flags = def->map_flags;
	attr->map_extra = def->map_extra;
	attr->has_spin_lock = def->has_spin_lock;
	attr->spin_lock_off = def->spin_lock_off;
	attr->nr_cpus = obj->vm->nr_cpus;
	/* libbpf sizes a perf event array without max_entries to the
	 * possible CPUs (bpf_object__create_map). */
	if (def->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && !def->max_entries)
		attr->max_entries = obj->vm->nr_cpus;
	attr->full_name = name;
	/* The kernel keeps BPF_OBJ_NAME_LEN - 1 characters, as libbpf passes them. */
	size_t len = strlen(name) < sizeof(attr->name) - 1 ? strlen(name) : sizeof(attr->name) - 1;

	memcpy(attr->name, name, len);
}

static int load_create_map(struct bpfvm_object *obj, uint32_t idx)
{
	const struct object_map *m = &obj->file->maps[idx];
	struct bpfvm_map *inner = NULL;
	struct map_attr attr;
	char inner_name[160];
	int err;

	if ((m->def.type == BPF_MAP_TYPE_ARRAY_OF_MAPS || m->def.type == BPF_MAP_TYPE_HASH_OF_MAPS) &&
	    !m->has_inner) {
		vm_error("%s: map '%s': a map-in-map needs its inner map described with "
			 "__array(values, ...)", obj->file->path, m->name);
		return -EINVAL;
	}
	if (m->has_inner) {
		snprintf(inner_name, sizeof(inner_name), "%s.inner", m->name);
		loader_map_attr(obj, inner_name, &m->inner, &attr);
		err = map_create(obj->vm, &attr, &inner);
		if (err)
			return load_map_error(obj, err, m->name, "failed to create the inner map");
	}
	loader_map_attr(obj, m->name, &m->def, &attr);
	attr.inner_map = inner;
	err = map_create(obj->vm, &attr, &obj->maps[idx]);
	map_put_user(inner);
	if (err)
		return load_map_error(obj, err, m->name, "failed to create");
	return 0;
}

/* Through the public API, so that the kernel's checks (access, flags, the
 * map-in-map template, the prog-array owner rule) apply as to any update. */
static int load_map_update(struct bpfvm_object *obj, struct bpfvm_map *map, const char *name,
			   uint32_t key, const void *value, const char *what)
{
	int err = bpfvm_map_update(map, &key, value, BPF_ANY);

	if (err)
		return load_map_error(obj, err, name, what);
	return 0;
}

/* Global data: the section's bytes as the single value; .rodata and
 * .kconfig frozen, as libbpf's bpf_object__populate_internal_map
 * (BPF_MAP_FREEZE). */
static int load_fill_data(struct bpfvm_object *obj, uint32_t idx)
{
	const struct object_map *m = &obj->file->maps[idx];
	struct bpfvm_map *map = obj->maps[idx];
	int err = 0;

	if (m->data)
		err = load_map_update(obj, map, m->name, 0, m->data,
				      "failed to set its initial value");
	if (!err && (m->kind == OBJECT_MAP_RODATA || m->kind == OBJECT_MAP_KCONFIG)) {
		err = bpfvm_map_freeze(map);
		if (err)
			return load_map_error(obj, err, m->name, "failed to freeze");
	}
	return err;
}

static int load_map_in_map_slots(struct bpfvm_object *obj, uint32_t idx)
{
	const struct object_map *m = &obj->file->maps[idx];
	char what[256];

	for (uint32_t i = 0; m->has_inner && i < m->slot_cnt; i++) {
		const struct object_map *target = &obj->file->maps[m->slots[i].target];
		uint32_t id = obj->maps[m->slots[i].target]->region->id;
		int err;

		snprintf(what, sizeof(what), "failed to set slot [%u] to map '%s'",
			 m->slots[i].index, target->name);
		err = load_map_update(obj, obj->maps[idx], m->name, m->slots[i].index, &id, what);
		if (err)
			return err;
	}
	return 0;
}

/* pinned[i]: this load pinned map i (unpinned again if the load fails). */
static int load_maps(struct bpfvm_object *obj, bool *pinned)
{
	const struct object_file *file = obj->file;
	bool *reused;
	int err = 0;

	obj->maps = calloc(file->map_cnt ? file->map_cnt : 1, sizeof(*obj->maps));
	reused = calloc(file->map_cnt ? file->map_cnt : 1, sizeof(*reused));
	if (!obj->maps || !reused) {
		free(reused);
		vm_error("%s: out of memory", file->path);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < file->map_cnt && !err; i++) {
		err = loader_map_reuse(obj, i, &reused[i]);
		if (err || reused[i])
			continue;
		err = load_create_map(obj, i);
		if (!err && file->maps[i].kind >= OBJECT_MAP_DATA)
			err = load_fill_data(obj, i);
		if (!err) {
			err = loader_map_pin(obj, i);
			pinned[i] = err > 0;
			err = err > 0 ? 0 : err;
		}
	}
	/* libbpf fills a map of maps' static slots only when it created the
	 * map (bpf_object__create_maps): a reused one keeps what it holds. */
	for (uint32_t i = 0; i < file->map_cnt && !err; i++)
		if (!reused[i])
			err = load_map_in_map_slots(obj, i);
	free(reused);
	return err;
}

/* The index of `map` in prog->maps[], added (with a reference) if new. */
static int load_prog_map_index(struct bpfvm_prog *prog, struct bpfvm_map *map)
{
	struct bpfvm_map **maps;

	for (uint32_t i = 0; i < prog->map_cnt; i++) {
		if (prog->maps[i] == map)
			return (int)i;
	}
	maps = realloc(prog->maps, (prog->map_cnt + 1) * sizeof(*maps));
	if (!maps)
		return -ENOMEM;
	prog->maps = maps;
	map_get(map);
	maps[prog->map_cnt] = map;
	return (int)prog->map_cnt++;
}

/* A kfunc extern, resolved by name against the runtime's kfuncs as libbpf
 * resolves it against the kernel's BTF (bpf_object__relocate_data): a call
 * becomes `call` src_reg=2 imm=id, a load of its address the kfunc's id, a
 * non-zero constant that is the same in every process (as libbpf writes the
 * BTF id: never the host address of the function, which a program could
 * leak). A __weak one that is not there loads 0 (bpf_ksym_exists) and its
 * calls are poisoned: refused only if the verifier reaches them. */
static int load_resolve_kfunc(const struct bpfvm_object *obj, const struct bpfvm_prog *prog,
			      const struct object_reloc *r)
{
	const struct object_extern *ext = &obj->file->externs[r->extern_idx];
	const struct kfunc_entry *kfunc = kfunc_table_find_name(&obj->vm->kfuncs, ext->name);
	struct bpf_insn *insn = &prog->insns[r->insn_idx];
	uint64_t addr = kfunc ? kfunc->id : 0;

	if (!kfunc && !ext->is_weak) {
		vm_error("%s: program '%s': extern (func ksym) '%s': no runtime function of this "
			 "name is registered", obj->file->path, prog->name, ext->name);
		return -EINVAL; /* libbpf's, after its -ESRCH */
	}
	if (r->kind == OBJECT_RELOC_KFUNC_ADDR) {
		insn[0].src_reg = 0;
		insn[0].imm = (int32_t)(uint32_t)addr;
		insn[1].imm = (int32_t)(uint32_t)(addr >> 32);
		return 0;
	}
	insn->src_reg = kfunc ? BPF_PSEUDO_KFUNC_CALL : 0;
	insn->off = 0;
	insn->imm = kfunc ? (int32_t)kfunc->id : ISA_CORE_POISON_HELPER;
	return 0;
}

static int load_relocate(struct bpfvm_object *obj, struct loader_prog *lp)
{
	struct bpfvm_prog *prog = lp->prog;

	for (uint32_t i = 0; i < lp->reloc_cnt; i++) {
		const struct object_reloc *r = &lp->relocs[i];
		struct bpf_insn *insn = &prog->insns[r->insn_idx];
		int idx;

		if (r->kind == OBJECT_RELOC_KFUNC_CALL || r->kind == OBJECT_RELOC_KFUNC_ADDR) {
			int err = load_resolve_kfunc(obj, prog, r);

			if (err)
				return err;
			continue;
		}
		if (r->kind != OBJECT_RELOC_MAP && r->kind != OBJECT_RELOC_MAP_VALUE)
			continue;
		idx = load_prog_map_index(prog, obj->maps[r->map_idx]);
		if (idx < 0) {
			vm_error("%s: out of memory", obj->file->path);
			return idx;
		}
		if (r->kind == OBJECT_RELOC_MAP) {
			insn[0].src_reg = BPF_PSEUDO_MAP_IDX;
		} else {
			insn[0].src_reg = BPF_PSEUDO_MAP_IDX_VALUE;
			insn[1].imm = (int32_t)((int64_t)insn[0].imm + (int64_t)r->sym_off);
		}
		insn[0].imm = idx;
	}
	return 0;
}

static const char *load_prog_type_name(uint32_t type)
{
	const char *name = libbpf_bpf_prog_type_str((enum bpf_prog_type)type);

	return name ? name : "unknown";
}

static const char *load_attach_type_name(uint32_t type)
{
	const char *name = libbpf_bpf_attach_type_str((enum bpf_attach_type)type);

	return name ? name : "unknown";
}

/* "... prog array 'jumps' is owned by sched_cls programs; program 'x' is
 * xdp": type names as bpftool prints them; attach types only when they are
 * what differs (most types have none, and 0 would read as a cgroup's). */
static int load_owner_error(const struct bpfvm_object *obj, const struct bpfvm_map *map,
			    const struct bpfvm_prog *prog, const char *context)
{
	char owner[128], joiner[128];

	bool frags = (prog->prog_flags & BPF_F_XDP_HAS_FRAGS) != 0;

	if (map->owner_prog_type == (uint32_t)prog->type &&
	    map->owner_attach_type == (uint32_t)prog->expected_attach_type &&
	    map->owner_xdp_has_frags != frags) {
		snprintf(owner, sizeof(owner), "%s programs %s frags",
			 load_prog_type_name(map->owner_prog_type),
			 map->owner_xdp_has_frags ? "with" : "without");
		snprintf(joiner, sizeof(joiner), "%s %s frags", load_prog_type_name(prog->type),
			 frags ? "with" : "without");
	} else if (map->owner_prog_type == (uint32_t)prog->type) {
		snprintf(owner, sizeof(owner), "%s programs with attach type %s",
			 load_prog_type_name(map->owner_prog_type),
			 load_attach_type_name(map->owner_attach_type));
		snprintf(joiner, sizeof(joiner), "attach type %s",
			 load_attach_type_name(prog->expected_attach_type));
	} else {
		snprintf(owner, sizeof(owner), "%s programs",
			 load_prog_type_name(map->owner_prog_type));
		snprintf(joiner, sizeof(joiner), "%s", load_prog_type_name(prog->type));
	}
	vm_error("%s: %s: prog array '%.16s' is owned by %s; program '%s' is %s (%d)",
		 obj->file->path, context, map->region->name, owner, prog->name, joiner, -EINVAL);
	return -EINVAL;
}

/* The owner rule (SEMANTICS.md: PROG_ARRAY maps): a program that references
 * a prog array becomes its owner or must match it, as the kernel's
 * bpf_check_tail_call after verification. */
static int load_check_owners(const struct bpfvm_object *obj, const struct bpfvm_prog *prog)
{
	char context[512];

	for (uint32_t i = 0; i < prog->map_cnt; i++) {
		struct bpfvm_map *map = prog->maps[i];

		if (map_type(map) != BPF_MAP_TYPE_PROG_ARRAY || !prog_array_check_owner(map, prog))
			continue;
		snprintf(context, sizeof(context), "section '%s': program '%s'", prog->section,
			 prog->name);
		return load_owner_error(obj, map, prog, context);
	}
	return 0;
}

/* The object's log settings for a program that has none, as libbpf's
 * kernel_log_buf/size/level: levels combine, the program's buffer wins. */
static void load_log_settings(const struct bpfvm_object *obj, struct bpfvm_prog *prog)
{
	prog->log_level |= obj->log_level;
	if (!prog->log_buf && obj->log_buf) {
		prog->log_buf = obj->log_buf;
		prog->log_size = obj->log_size;
	}
}

/* Before the verifier, as the kernel's check_btf_func (subprog_returns.c). */
static int load_check_int_returns(const struct loader_prog *lp)
{
	if (!lp->refused_sub)
		return 0;
	vm_error("subprogram '%s': %s", lp->refused_sub->name, lp->refused_sub->int_return_refusal);
	return -EINVAL;
}

static int load_progs(struct bpfvm_object *obj)
{
	for (size_t i = 0; i < obj->prog_cnt; i++) {
		struct bpfvm_prog *prog = obj->progs[i].prog;
		int err;

		if (!prog->autoload)
			continue;
		err = load_relocate(obj, &obj->progs[i]);
		if (err)
			return err;
		load_log_settings(obj, prog);
		err = load_check_int_returns(&obj->progs[i]);
		if (!err)
			err = prog_prepare(prog);
		if (err)
			return load_prog_error(obj, err, prog);
		err = load_check_owners(obj, prog);
		if (err)
			return err;
	}
	return 0;
}

static const struct bpfvm_prog *load_prog_of_file_idx(const struct bpfvm_object *obj,
						     uint32_t file_idx)
{
	for (size_t p = 0; p < obj->prog_cnt; p++) {
		if (obj->progs[p].file_idx == file_idx)
			return obj->progs[p].prog;
	}
	return NULL;
}

/* init_prog_array_slots: each slot set to the program's id through the
 * public update, which applies the owner rule to the program inserted. */
static int load_prog_array_slots(struct bpfvm_object *obj)
{
	const struct object_file *file = obj->file;
	char what[256], context[512];

	for (uint32_t i = 0; i < file->map_cnt; i++) {
		const struct object_map *m = &file->maps[i];

		if (m->def.type != BPF_MAP_TYPE_PROG_ARRAY)
			continue;
		for (uint32_t s = 0; s < m->slot_cnt; s++) {
			const struct bpfvm_prog *prog = load_prog_of_file_idx(obj, m->slots[s].target);
			uint32_t id = prog ? prog->id : 0;
			int err;

			if (prog && !prog->autoload)
				continue; /* left out of loading: the slot stays empty */
			snprintf(what, sizeof(what), "failed to set slot [%u] to program '%s'",
				 m->slots[s].index, prog ? prog->name : "?");
			/* The update applies the rule too; asked first for a
			 * message that names the types. */
			if (prog && prog_array_check_owner(obj->maps[i], prog)) {
				snprintf(context, sizeof(context), "map '%s': slot [%u]", m->name,
					 m->slots[s].index);
				return load_owner_error(obj, obj->maps[i], prog, context);
			}
			err = load_map_update(obj, obj->maps[i], m->name, m->slots[s].index, &id,
					      what);
			if (err)
				return err;
		}
	}
	return 0;
}

/* A failed load leaves no map behind, as libbpf's bpf_object_unload: the
 * pins it made removed, the object's references dropped (bpfvm_object_map
 * answers NULL again). Programs it prepared stay until the object closes. */
static void load_unload_maps(struct bpfvm_object *obj, const bool *pinned)
{
	for (uint32_t i = 0; obj->maps && i < obj->file->map_cnt; i++) {
		if (pinned && pinned[i])
			loader_map_unpin(obj, i);
		map_put_user(obj->maps[i]);
	}
	free(obj->maps);
	obj->maps = NULL;
}

int loader_load(struct bpfvm_object *obj)
{
	bool *pinned;
	int err;

	if (obj->load_attempted) {
		vm_error("%s: object is already loaded (or failed to load)", obj->file->path);
		return -EINVAL;
	}
	obj->load_attempted = true;
	/* Autoload and log settings are fixed from here on, loaded or not. */
	for (size_t i = 0; i < obj->prog_cnt; i++)
		obj->progs[i].prog->load_attempted = true;
	pinned = calloc(obj->file->map_cnt ? obj->file->map_cnt : 1, sizeof(*pinned));
	if (!pinned) {
		vm_error("%s: out of memory", obj->file->path);
		return -ENOMEM;
	}
	err = load_maps(obj, pinned);
	if (!err)
		err = load_progs(obj);
	if (!err)
		err = load_prog_array_slots(obj);
	if (err)
		load_unload_maps(obj, pinned);
	free(pinned);
	return err;
}

/* ---- Loading only what a program needs --------------------------------- */

static size_t load_prog_index_of_file_idx(const struct bpfvm_object *obj, uint32_t file_idx)
{
	for (size_t p = 0; p < obj->prog_cnt; p++) {
		if (obj->progs[p].file_idx == file_idx)
			return p;
	}
	return SIZE_MAX;
}

/* Marks (autoload on) the programs in the static slots of the prog arrays
 * that obj->progs[idx] references, and theirs. The marks bound the
 * recursion to the object's program count. */
static void load_mark_needed(struct bpfvm_object *obj, size_t idx)
{
	const struct loader_prog *lp = &obj->progs[idx];

	lp->prog->autoload = true;
	for (uint32_t r = 0; r < lp->reloc_cnt; r++) {
		const struct object_map *m;

		if (lp->relocs[r].kind != OBJECT_RELOC_MAP)
			continue;
		m = &obj->file->maps[lp->relocs[r].map_idx];
		if (m->def.type != BPF_MAP_TYPE_PROG_ARRAY)
			continue;
		for (uint32_t s = 0; s < m->slot_cnt; s++) {
			size_t target = load_prog_index_of_file_idx(obj, m->slots[s].target);

			if (target != SIZE_MAX && !obj->progs[target].prog->autoload)
				load_mark_needed(obj, target);
		}
	}
}

void loader_autoload_only(struct bpfvm_object *obj, size_t root)
{
	for (size_t p = 0; p < obj->prog_cnt; p++)
		obj->progs[p].prog->autoload = false;
	load_mark_needed(obj, root);
}
