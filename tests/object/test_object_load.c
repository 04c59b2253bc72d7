/* The loader (src/loader/) through the public object API: opening links
 * each program with the subprograms it calls (as libbpf), loading creates
 * the maps, fills global data, freezes .rodata, rewrites map references to
 * BPF_PSEUDO_MAP_IDX[_VALUE] with prog->maps[], prepares the programs and
 * fills statically initialised slots; closing releases everything (the
 * sanitizer build catches leaks). What the loader wrote is read back through
 * the public map API, as a user would.
 *
 * A program type that bpfvm lacks makes prog_prepare fail with -ENOTSUP
 * after the maps exist and the relocations are done: the checks that need
 * every program prepared are then reported as NOT CHECKED in the output.
 *
 * Usage: test_object_load OBJECTS_DIR */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_edit.h"
#include "loader_testlib.h"
#include "engine/prog.h"
#include "isa/isa.h"
#include "maps/map.h"
#include "testlib.h"

/* ---- Helpers of the tests --------------------------------------------- */

static struct bpfvm *vm_create(void)
{
	return loader_vm_create();
}

static int open_object(struct bpfvm *vm, const char *name, struct bpfvm_object **obj)
{
	char path[4096];

	loader_object_path(path, sizeof(path), name);
	return bpfvm_object_open(vm, path, NULL, obj);
}

/* Every local call and callback of a linked program lands on an
 * instruction of the program; returns the number of them. */
static int count_local_targets(const struct bpfvm_prog *prog, uint32_t *targets, int max)
{
	const struct bpf_insn *insns = bpfvm_prog_insns(prog);
	uint32_t cnt = (uint32_t)bpfvm_prog_insn_cnt(prog);
	int n = 0;

	for (uint32_t i = 0; i < cnt; i++) {
		bool call = insns[i].code == (BPF_JMP | BPF_CALL) && insns[i].src_reg == BPF_PSEUDO_CALL;
		bool func = insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
			    insns[i].src_reg == BPF_PSEUDO_FUNC;

		if ((call || func) && n < max)
			targets[n++] = i + (uint32_t)insns[i].imm + 1;
	}
	return n;
}

/* ---- Tests ------------------------------------------------------------- */

static void open_finds_programs_in_libbpf_order(void)
{
	const char *test = "open_finds_programs_in_libbpf_order";
	static const char *const names[] = { "prog_b", "prog_a", "prog_c", "xdp_pass", "on_enter" };
	struct bpfvm *vm = vm_create();
	struct bpfvm_object *obj;
	int err = open_object(vm, "multi.bpf.o", &obj);

	testlib_check(test, err == 0, "open: %d %s", err, bpfvm_errmsg());
	if (err)
		goto out;
	testlib_check(test, strcmp(bpfvm_object_name(obj), "multi") == 0, "name '%s'",
		      bpfvm_object_name(obj));
	testlib_check(test, strcmp(bpfvm_object_license(obj), "Dual BSD/GPL") == 0, "license");
	testlib_check(test, bpfvm_object_prog_cnt(obj) == 5, "%zu programs (subprograms are not "
		      "programs)", bpfvm_object_prog_cnt(obj));
	for (size_t i = 0; i < 5 && i < bpfvm_object_prog_cnt(obj); i++)
		testlib_check(test, strcmp(bpfvm_prog_name(bpfvm_object_prog(obj, i)), names[i]) == 0,
			      "program #%zu is '%s'", i, bpfvm_prog_name(bpfvm_object_prog(obj, i)));
	struct bpfvm_prog *prog = bpfvm_object_find_prog(obj, "xdp_pass");
	testlib_check(test, prog && bpfvm_prog_type(prog) == BPF_PROG_TYPE_XDP &&
			    bpfvm_prog_expected_attach_type(prog) == BPF_XDP &&
			    strcmp(bpfvm_prog_section(prog), "xdp") == 0 && bpfvm_prog_id(prog) == 0,
		      "xdp_pass: xdp, BPF_XDP, not loaded");
	testlib_check(test, prog && prog->gpl_compatible, "Dual BSD/GPL: gpl_compatible");
	testlib_check(test, !bpfvm_object_find_prog(obj, "global_helper") &&
			    !bpfvm_object_find_prog(obj, "nope"),
		      "subprograms and unknown names are not found");
	testlib_check(test, bpfvm_object_map_cnt(obj) == 12 && bpfvm_object_map(obj, 0) == NULL &&
			    bpfvm_object_find_map(obj, ".rodata") == NULL,
		      "12 maps, none created before load");
	bpfvm_object_close(obj);
out:
	bpfvm_destroy(vm);
}

static bool has_note(const struct bpfvm_object *obj, const char *needle)
{
	for (size_t i = 0; i < bpfvm_object_note_cnt(obj); i++) {
		if (strstr(bpfvm_object_note(obj, i), needle))
			return true;
	}
	return false;
}

/* What bpfvm accepted without honouring it is told, not hidden; the flags a
 * section name gives reach the program (BPF_PROG_LOAD's prog_flags). */
static void open_tells_what_is_not_honoured(void)
{
	const char *test = "open_tells_what_is_not_honoured";
	struct bpfvm *vm = vm_create();
	struct bpfvm_object *obj = loader_open(test, vm, "multi.bpf.o");

	if (!obj)
		goto out;
	testlib_check(test, bpfvm_object_note_cnt(obj) == 3 &&
			    has_note(obj, "map 'pinned_lru': numa_node 1 ignored") &&
			    has_note(obj, "map 'pinned_lru': pinning by name not honoured") &&
			    has_note(obj, "'.BTF.ext': function and line information ignored"),
		      "%zu notes: numa_node, pinning, .BTF.ext", bpfvm_object_note_cnt(obj));
	testlib_check(test, bpfvm_object_note(obj, 3) == NULL, "no note past the last");
	bpfvm_object_close(obj);
	obj = loader_open(test, vm, "sections.bpf.o");
	if (!obj)
		goto out;
	testlib_check(test, bpfvm_object_find_prog(obj, "s_xdp_frags")->prog_flags ==
				    BPF_F_XDP_HAS_FRAGS &&
			    bpfvm_object_find_prog(obj, "s_xdp")->prog_flags == 0,
		      "xdp.frags: BPF_F_XDP_HAS_FRAGS; xdp: no flags");
	bpfvm_object_close(obj);
out:
	bpfvm_destroy(vm);
}

static void open_links_subprograms_as_libbpf(void)
{
	const char *test = "open_links_subprograms_as_libbpf";
	struct bpfvm *vm = vm_create();
	struct bpfvm_object *obj;
	uint32_t targets[8];
	const struct bpfvm_prog *prog;
	int n, err = open_object(vm, "multi.bpf.o", &obj);

	testlib_check(test, err == 0, "open: %d %s", err, bpfvm_errmsg());
	if (err)
		goto out;
	/* prog_a (9) calls global_helper (19), which calls add_static (7). */
	prog = bpfvm_object_find_prog(obj, "prog_a");
	n = count_local_targets(prog, targets, 8);
	testlib_check(test, bpfvm_prog_insn_cnt(prog) == 9 + 19 + 7, "prog_a: %zu insns linked",
		      bpfvm_prog_insn_cnt(prog));
	testlib_check(test, n == 2 && targets[0] == 9 && targets[1] == 9 + 19,
		      "prog_a: calls land on global_helper at 9 and add_static at 28 (%d: %u %u)",
		      n, targets[0], n > 1 ? targets[1] : 0);
	/* prog_b calls add_static only: appended right after it. */
	prog = bpfvm_object_find_prog(obj, "prog_b");
	n = count_local_targets(prog, targets, 8);
	testlib_check(test, bpfvm_prog_insn_cnt(prog) == 11 + 7 && n == 1 && targets[0] == 11,
		      "prog_b: add_static appended at 11 (%zu insns, %d calls)",
		      bpfvm_prog_insn_cnt(prog), n);
	/* xdp_pass calls global_helper, which calls add_static. */
	prog = bpfvm_object_find_prog(obj, "xdp_pass");
	testlib_check(test, bpfvm_prog_insn_cnt(prog) == 13 + 19 + 7, "xdp_pass: %zu insns",
		      bpfvm_prog_insn_cnt(prog));
	prog = bpfvm_object_find_prog(obj, "prog_c");
	testlib_check(test, bpfvm_prog_insn_cnt(prog) == 17, "prog_c calls nothing: %zu insns",
		      bpfvm_prog_insn_cnt(prog));
	bpfvm_object_close(obj);

	err = open_object(vm, "callback.bpf.o", &obj);
	testlib_check(test, err == 0, "open callback: %d %s", err, bpfvm_errmsg());
	if (!err) {
		prog = bpfvm_object_find_prog(obj, "with_loop");
		n = count_local_targets(prog, targets, 8);
		testlib_check(test, bpfvm_prog_insn_cnt(prog) == 11 + 7 && n == 1 && targets[0] == 11 &&
				    bpfvm_prog_insns(prog)[5].src_reg == BPF_PSEUDO_FUNC,
			      "with_loop: lddw BPF_PSEUDO_FUNC of add_index appended at 11");
		bpfvm_object_close(obj);
	}
out:
	bpfvm_destroy(vm);
}

static const struct bpfvm_map *prog_map_of_lddw(const struct bpfvm_prog *prog, uint32_t idx)
{
	const struct bpf_insn *insn = &prog->insns[idx];

	return (uint32_t)insn->imm < prog->map_cnt ? prog->maps[insn->imm] : NULL;
}

static void check_prog_b_relocated(const char *test, struct bpfvm_object *obj)
{
	const struct bpfvm_prog *prog = bpfvm_object_find_prog(obj, "prog_b");
	bool jumps = false, custom = false;

	for (uint32_t i = 0; i + 1 < prog->insn_cnt; i++) {
		const struct bpf_insn *insn = &prog->insns[i];

		if (insn->code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		testlib_check(test, insn->src_reg == BPF_PSEUDO_MAP_IDX ||
				    insn->src_reg == BPF_PSEUDO_MAP_IDX_VALUE,
			      "prog_b insn %u: lddw src_reg %u", i, insn->src_reg);
		if (insn->src_reg == BPF_PSEUDO_MAP_IDX)
			jumps |= prog_map_of_lddw(prog, i) == bpfvm_object_find_map(obj, "jumps");
		if (insn->src_reg == BPF_PSEUDO_MAP_IDX_VALUE) {
			const struct bpfvm_map *map = prog_map_of_lddw(prog, i);

			custom |= (map == bpfvm_object_find_map(obj, ".data.custom") ||
				   map == bpfvm_object_find_map(obj, ".rodata.custom")) &&
				  insn[1].imm >= 0 && (uint32_t)insn[1].imm < map_value_size(map);
		}
		i++;
	}
	testlib_check(test, jumps, "prog_b: lddw of jumps is BPF_PSEUDO_MAP_IDX into prog->maps");
	testlib_check(test, custom, "prog_b: custom data is BPF_PSEUDO_MAP_IDX_VALUE + offset");
	testlib_check(test, prog->map_cnt >= 2, "prog_b holds %u maps", prog->map_cnt);
}

/* The map's attributes as bpfvm_map_get_info gives them; false if it fails. */
static bool map_info_of(const struct bpfvm_map *map, struct bpfvm_map_info *info)
{
	memset(info, 0, sizeof(*info));
	return map && bpfvm_map_get_info(map, info) == 0;
}

/* Global data: the section's bytes as the single value, written through the
 * update path; .rodata* frozen through the freeze path (libbpf's
 * BPF_MAP_FREEZE): user writes and a second freeze are -EPERM, programs see
 * it read-only (BPF_F_RDONLY_PROG). */
static void check_global_data(const char *test, struct bpfvm_object *obj)
{
	struct bpfvm_map *map = bpfvm_object_find_map(obj, ".rodata");
	struct bpfvm_map_info info;
	uint8_t value[256] = { 0 };
	uint32_t key = 0, value32 = 0;
	uint64_t value64 = 0;
	int err;

	testlib_check(test, map_info_of(map, &info) && strcmp(info.name, "multi.rodata") == 0 &&
			    info.type == BPF_MAP_TYPE_ARRAY && info.key_size == 4 &&
			    info.max_entries == 1 &&
			    info.map_flags == (BPF_F_RDONLY_PROG | BPF_F_MMAPABLE),
		      ".rodata: array 'multi.rodata' of one value, read-only to programs (%s, "
		      "flags %#x)", info.name, info.map_flags);
	testlib_check(test, map && info.value_size <= sizeof(value) &&
			    bpfvm_map_lookup(map, &key, value) == 0 &&
			    (memcpy(&value32, value, 4), value32 == 42),
		      ".rodata holds rodata_limit = 42 (%u)", value32);
	err = map ? bpfvm_map_update(map, &key, value, BPF_ANY) : 0;
	testlib_check(test, err == -EPERM && strstr(bpfvm_errmsg(), "frozen"),
		      ".rodata is frozen: update %d %s", err, bpfvm_errmsg());
	err = map ? bpfvm_map_freeze(map) : 0;
	testlib_check(test, err == -EPERM, ".rodata: a second freeze is -EPERM (%d)", err);
	map = bpfvm_object_find_map(obj, ".rodata.custom");
	err = map ? bpfvm_map_update(map, &key, value, BPF_ANY) : 0;
	testlib_check(test, map && err == -EPERM, ".rodata.custom is frozen too (%d)", err);

	map = bpfvm_object_find_map(obj, ".data");
	testlib_check(test, map_info_of(map, &info) && strcmp(info.name, "multi.data") == 0 &&
			    info.map_flags == BPF_F_MMAPABLE,
		      ".data: 'multi.data', mmapable, writable by programs (%#x)", info.map_flags);
	testlib_check(test, map && bpfvm_map_lookup(map, &key, &value64) == 0 && value64 == 7,
		      ".data holds data_counter = 7 (%llu)", (unsigned long long)value64);
	value64 = 8;
	err = map ? bpfvm_map_update(map, &key, &value64, BPF_ANY) : 0;
	testlib_check(test, map && err == 0, ".data is not frozen: update %d %s", err,
		      bpfvm_errmsg());
	map = bpfvm_object_find_map(obj, ".data.custom");
	testlib_check(test, map && bpfvm_map_lookup(map, &key, &value32) == 0 &&
			    value32 == 0x11223344,
		      ".data.custom holds 0x11223344 (%#x)", value32);
	map = bpfvm_object_find_map(obj, ".bss");
	value64 = 1;
	testlib_check(test, map_info_of(map, &info) && info.value_size == 8 &&
			    bpfvm_map_lookup(map, &key, &value64) == 0 && value64 == 0,
		      ".bss: 8 zero bytes");
}

/* Map-in-map slots hold the inner maps' ids; the outer map keeps the
 * template (updates with a map of another shape are refused). */
static void check_map_in_map(const char *test, struct bpfvm_object *obj)
{
	struct bpfvm_map *outer = bpfvm_object_find_map(obj, "outer");
	struct bpfvm_map_info inner_a, inner_b, counts;
	uint32_t key, id = 0;
	int err;

	if (!outer || !map_info_of(bpfvm_object_find_map(obj, "inner_a"), &inner_a) ||
	    !map_info_of(bpfvm_object_find_map(obj, "inner_b"), &inner_b) ||
	    !map_info_of(bpfvm_object_find_map(obj, "counts"), &counts)) {
		testlib_check(test, false, "outer, inner_a, inner_b and counts exist");
		return;
	}
	key = 0;
	testlib_check(test, bpfvm_map_lookup(outer, &key, &id) == 0 && id == inner_a.id,
		      "outer[0] = inner_a's id %u (%u)", inner_a.id, id);
	key = 2;
	testlib_check(test, bpfvm_map_lookup(outer, &key, &id) == 0 && id == inner_b.id,
		      "outer[2] = inner_b's id %u (%u)", inner_b.id, id);
	key = 1;
	err = bpfvm_map_lookup(outer, &key, &id);
	testlib_check(test, err == -ENOENT, "outer[1] is empty (%d)", err);
	err = bpfvm_map_update(outer, &key, &counts.id, BPF_ANY);
	testlib_check(test, err == -EINVAL, "outer refuses a hash map: the template is the "
		      "2-entry array (%d %s)", err, bpfvm_errmsg());
	err = bpfvm_map_update(outer, &key, &inner_a.id, BPF_ANY);
	testlib_check(test, err == 0, "outer takes inner_a in slot 1 (%d %s)", err,
		      bpfvm_errmsg());
}

static void check_maps_created(const char *test, struct bpfvm *vm, struct bpfvm_object *obj)
{
	struct bpfvm_map_info info;
	struct bpfvm_map *map, *by_id = NULL;

	check_global_data(test, obj);
	check_map_in_map(test, obj);
	map = bpfvm_object_find_map(obj, "counts");
	testlib_check(test, map_info_of(map, &info) && info.type == BPF_MAP_TYPE_HASH &&
			    info.key_size == 4 && info.value_size == 8 && info.max_entries == 128 &&
			    info.map_flags == BPF_F_NO_PREALLOC && strcmp(info.name, "counts") == 0,
		      "counts: hash 4/8/128, no-prealloc");
	testlib_check(test, info.id != 0 && bpfvm_map_get_by_id(vm, info.id, &by_id) == 0 &&
			    by_id == map,
		      "counts is found by its id %u", info.id);
	bpfvm_map_close(by_id);
	map = bpfvm_object_find_map(obj, "scratch");
	testlib_check(test, map_info_of(map, &info) && info.type == BPF_MAP_TYPE_PERCPU_ARRAY &&
			    bpfvm_map_value_size_user(map) == 2 * 16,
		      "scratch: per-CPU array, 16 bytes on each of 2 CPUs");
	for (size_t i = 0; i < bpfvm_object_map_cnt(obj); i++)
		testlib_check(test, bpfvm_object_map(obj, i) != NULL, "map #%zu created", i);
}

/* After a full load: every program has an id, and the prog array's static
 * slot holds prog_b's. */
static void check_programs_loaded(const char *test, struct bpfvm_object *obj)
{
	struct bpfvm_map *jumps = bpfvm_object_find_map(obj, "jumps");
	uint32_t key = 1, id = 0;
	int err;

	for (size_t i = 0; i < bpfvm_object_prog_cnt(obj); i++) {
		const struct bpfvm_prog *prog = bpfvm_object_prog(obj, i);

		testlib_check(test, bpfvm_prog_id(prog) != 0, "program '%s' has an id",
			      bpfvm_prog_name(prog));
	}
	testlib_check(test, jumps && bpfvm_map_lookup(jumps, &key, &id) == 0 &&
			    id == bpfvm_prog_id(bpfvm_object_find_prog(obj, "prog_b")),
		      "jumps[1] = prog_b's id (%u)", id);
	key = 0;
	err = jumps ? bpfvm_map_lookup(jumps, &key, &id) : 0;
	testlib_check(test, err == -ENOENT, "jumps[0] is empty (%d)", err);
}

static void load_creates_maps_and_relocates(void)
{
	const char *test = "load_creates_maps_and_relocates";
	struct bpfvm *vm = vm_create();
	struct bpfvm_object *obj = loader_open(test, vm, "multi.bpf.o");
	int err;

	if (!obj)
		goto out;
	err = bpfvm_object_load(obj);
	if (loader_type_missing(test, err, "programs prepared, ids, jumps[1] = prog_b")) {
		testlib_check(test, strstr(bpfvm_errmsg(), "multi.bpf.o: section '") != NULL,
			      "the failure names the file and section: %s", bpfvm_errmsg());
	} else {
		testlib_check(test, err == 0, "load: %d %s", err, bpfvm_errmsg());
		if (!err)
			check_programs_loaded(test, obj);
	}
	check_maps_created(test, vm, obj);
	check_prog_b_relocated(test, obj);
	err = bpfvm_object_load(obj);
	testlib_check(test, err == -EINVAL && strstr(bpfvm_errmsg(), "already loaded"),
		      "a second load is refused: %d %s", err, bpfvm_errmsg());
	bpfvm_object_close(obj);
out:
	bpfvm_destroy(vm);
}

static void legacy_maps_are_created(void)
{
	const char *test = "legacy_maps_are_created";
	struct bpfvm *vm = vm_create();
	struct bpfvm_object *obj = loader_open(test, vm, "legacy.bpf.o");
	struct bpfvm_map_info info;
	int err;

	if (!obj)
		goto out;
	err = bpfvm_object_load(obj);
	if (!loader_type_missing(test, err, "legacy_prog prepared"))
		testlib_check(test, err == 0, "load: %d %s", err, bpfvm_errmsg());
	testlib_check(test, map_info_of(bpfvm_object_find_map(obj, "legacy_hash"), &info) &&
			    info.type == BPF_MAP_TYPE_HASH && info.key_size == 4 &&
			    info.value_size == 8 && info.max_entries == 16,
		      "legacy_hash: hash 4/8/16");
	testlib_check(test, map_info_of(bpfvm_object_find_map(obj, "legacy_array"), &info) &&
			    info.type == BPF_MAP_TYPE_ARRAY && info.max_entries == 2,
		      "legacy_array: array of 2");
	const struct bpfvm_prog *prog = bpfvm_object_prog(obj, 0);
	testlib_check(test, prog && prog->map_cnt == 2 && !prog->gpl_compatible,
		      "legacy_prog references 2 maps, MIT is not GPL");
	bpfvm_object_close(obj);
out:
	bpfvm_destroy(vm);
}

/* BPF_MAP_CREATE refuses an array with an 8-byte key: the load fails before
 * any program, naming the file and the map. */
static void map_creation_failure_names_the_map(void)
{
	const char *test = "map_creation_failure_names_the_map";
	struct bpfvm *vm = vm_create();
	struct bpfvm_object *obj = loader_open(test, vm, "bad_map.bpf.o");
	int err;

	if (!obj)
		goto out;
	err = bpfvm_object_load(obj);
	testlib_check(test, err == -EINVAL &&
			    strstr(bpfvm_errmsg(), "bad_map.bpf.o: map 'wide_key': failed to create"),
		      "load: %d %s", err, bpfvm_errmsg());
	testlib_check(test, bpfvm_prog_id(bpfvm_object_find_prog(obj, "uses_it")) == 0,
		      "no program was prepared");
	bpfvm_object_close(obj);
out:
	bpfvm_destroy(vm);
}

static uint64_t tail_target_runs(struct bpfvm_object *obj)
{
	uint64_t runs = 0;
	uint32_t key = 0;

	bpfvm_map_lookup(bpfvm_object_find_map(obj, ".data"), &key, &runs);
	return runs;
}

static int tail_test_run(struct bpfvm_prog *prog, int repeat, uint32_t *retval)
{
	uint8_t packet[64] = { 0 };
	struct bpfvm_test_run_opts opts = {
		.sz = sizeof(opts),
		.data_in = packet,
		.data_size_in = sizeof(packet),
		.repeat = repeat,
	};
	int err = bpfvm_prog_test_run(prog, &opts);

	*retval = opts.retval;
	return err;
}

/* A whole object at work: loading fills jumps[0] with xdp_target's id; a
 * test run of xdp_entry tail-calls it (XDP_TX, read from frozen .rodata),
 * which counts in .data; with the slot emptied the entry program falls
 * through (XDP_ABORTED). */
static void loaded_object_runs_its_tail_call(void)
{
	const char *test = "loaded_object_runs_its_tail_call";
	struct bpfvm *vm = vm_create();
	struct bpfvm_object *obj = loader_open(test, vm, "tail.bpf.o");
	struct bpfvm_prog *entry;
	uint32_t key = 0, id = 0, retval = 0;
	int err;

	if (!obj)
		goto out;
	err = bpfvm_object_load(obj);
	if (loader_type_missing(test, err, "load, tail call, test run"))
		goto close;
	testlib_check(test, err == 0, "load: %d %s", err, bpfvm_errmsg());
	if (err)
		goto close;
	entry = bpfvm_object_find_prog(obj, "xdp_entry");
	testlib_check(test, bpfvm_map_lookup(bpfvm_object_find_map(obj, "jumps"), &key, &id) == 0 &&
			    id == bpfvm_prog_id(bpfvm_object_find_prog(obj, "xdp_target")),
		      "jumps[0] = xdp_target's id (%u)", id);
	err = tail_test_run(entry, 1, &retval);
	testlib_check(test, err == 0 && retval == XDP_TX && tail_target_runs(obj) == 101,
		      "run: %d %s, retval %u (XDP_TX), target ran once (%llu)", err,
		      err ? bpfvm_errmsg() : "", retval, (unsigned long long)tail_target_runs(obj));
	err = tail_test_run(entry, 3, &retval);
	testlib_check(test, err == 0 && retval == XDP_TX && tail_target_runs(obj) == 104,
		      "3 runs: %d, target runs %llu", err, (unsigned long long)tail_target_runs(obj));
	err = bpfvm_map_delete(bpfvm_object_find_map(obj, "jumps"), &key);
	testlib_check(test, err == 0, "jumps[0] emptied: %d %s", err, bpfvm_errmsg());
	err = tail_test_run(entry, 1, &retval);
	testlib_check(test, err == 0 && retval == XDP_ABORTED && tail_target_runs(obj) == 104,
		      "empty slot: falls through: %d, retval %u, target runs %llu", err, retval,
		      (unsigned long long)tail_target_runs(obj));
close:
	bpfvm_object_close(obj);
out:
	bpfvm_destroy(vm);
}

static void open_errors_are_precise(void)
{
	const char *test = "open_errors_are_precise";
	struct bpfvm *vm = vm_create();
	struct bpfvm_object_opts opts = { .sz = sizeof(opts), .object_name = "renamed" };
	struct bpfvm_object *obj = NULL;
	char path[4096];
	int err;

	err = bpfvm_object_open(vm, "/nonexistent/x.o", NULL, &obj);
	testlib_check(test, err == -ENOENT && strstr(bpfvm_errmsg(), "/nonexistent/x.o"),
		      "missing file: %d %s", err, bpfvm_errmsg());
	err = bpfvm_object_open_mem(vm, "junk", 4, &opts, &obj);
	testlib_check(test, err == -EINVAL && strncmp(bpfvm_errmsg(), "renamed: ", 9) == 0,
		      "junk: %d %s", err, bpfvm_errmsg());

	/* A call relocation pointed at the middle of a subprogram. */
	loader_object_path(path, sizeof(path), "callback.bpf.o");
	struct elf_img img = elf_img_load(path);
	Elf64_Sym *sym = elf_img_find_sym(&img, "add_index", NULL);
	if (sym) {
		/* add_index is static: its relocation is against .text with the
		 * offset in imm; move the function symbol instead so that the
		 * callback's target is no longer a function start. */
		sym->st_value += 8;
		sym->st_size -= 8;
	}
	/* Without func_info and line_info, which would now say that no
	 * function starts where add_index's record is, and that add_index
	 * has no line record (the reader refuses that first). */
	size_t ext = elf_img_find_sec(&img, ".BTF.ext");
	if (ext) {
		memset(img.buf + elf_img_shdr(&img, ext)->sh_offset + 12, 0, 4);
		memset(img.buf + elf_img_shdr(&img, ext)->sh_offset + 20, 0, 4);
	}
	err = bpfvm_object_open_mem(vm, img.buf, img.size, &opts, &obj);
	testlib_check(test, err == -EINVAL && strstr(bpfvm_errmsg(), "program 'with_loop'") &&
			    strstr(bpfvm_errmsg(), "no .text function"),
		      "callback into no function: %d %s", err, bpfvm_errmsg());
	if (!err)
		bpfvm_object_close(obj);
	elf_img_free(&img);

	err = bpfvm_object_open_mem(vm, "junk", 4, NULL, &obj);
	testlib_check(test, err == -EINVAL, "junk without a name: %d", err);
	bpfvm_destroy(vm);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJECTS_DIR\n", argv[0]);
		return 2;
	}
	loader_objects_dir = argv[1];
	open_finds_programs_in_libbpf_order();
	open_links_subprograms_as_libbpf();
	open_tells_what_is_not_honoured();
	load_creates_maps_and_relocates();
	legacy_maps_are_created();
	map_creation_failure_names_the_map();
	loaded_object_runs_its_tail_call();
	open_errors_are_precise();
	return testlib_summary();
}
