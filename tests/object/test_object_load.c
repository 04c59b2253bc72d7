/* The loader (src/loader/) through the public object API: opening links
 * each program with the subprograms it calls (as libbpf), loading creates
 * the maps, fills global data, freezes .rodata, rewrites map references to
 * BPF_PSEUDO_MAP_IDX[_VALUE] with prog->maps[], prepares the programs and
 * fills statically initialised slots; closing releases everything (the
 * sanitizer build catches leaks).
 *
 * The map families are written in parallel: this test brings a stand-in
 * family (map_ops_for_type below) that stores values in a flat array, enough
 * to observe what the loader writes. Program types may be missing too: a
 * load then fails in prog_prepare with -ENOTSUP, after the relocations this
 * test checks.
 *
 * Usage: test_object_load OBJECTS_DIR */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_edit.h"
#include "engine/prog.h"
#include "isa/isa.h"
#include "maps/map.h"
#include "testlib.h"

/* ---- The stand-in map family ------------------------------------------ */

/* Region: header, then max_entries values of value_size bytes (key = index;
 * for non-array types, the key's first 4 bytes modulo max_entries). */
#define STANDIN_MAX_BYTES (1u << 20)

static int standin_check_attr(const struct map_attr *attr)
{
	return (uint64_t)attr->max_entries * attr->value_size > STANDIN_MAX_BYTES ? -E2BIG : 0;
}

static size_t standin_region_size(const struct map_attr *attr)
{
	return sizeof(struct map_region) + (size_t)attr->max_entries * attr->value_size;
}

static int standin_init(struct bpfvm_map *map)
{
	return 0;
}

static void *standin_slot(struct bpfvm_map *map, const void *key)
{
	uint32_t index;

	memcpy(&index, key, sizeof(index));
	if (map_max_entries(map) == 0)
		return NULL;
	if (map_type(map) == BPF_MAP_TYPE_ARRAY || map_type(map) == BPF_MAP_TYPE_PROG_ARRAY ||
	    map_type(map) == BPF_MAP_TYPE_ARRAY_OF_MAPS) {
		if (index >= map_max_entries(map))
			return NULL;
	} else {
		index %= map_max_entries(map);
	}
	return map_at(map, sizeof(struct map_region) + (size_t)index * map_value_size(map));
}

static int standin_update(struct bpfvm_map *map, const void *key, const void *value,
			  uint64_t flags)
{
	void *slot = standin_slot(map, key);

	if (!slot)
		return -E2BIG;
	memcpy(slot, value, map_value_size(map));
	return 0;
}

static int standin_lookup(struct bpfvm_map *map, const void *key, void *value, uint64_t flags)
{
	void *slot = standin_slot(map, key);

	if (!slot)
		return -ENOENT;
	memcpy(value, slot, map_value_size(map));
	return 0;
}

static const struct map_ops standin_ops = {
	.check_attr = standin_check_attr,
	.region_size = standin_region_size,
	.init = standin_init,
	.update = standin_update,
	.lookup = standin_lookup,
};

static bool standin_enabled = true;

const struct map_ops *map_ops_for_type(uint32_t type);
const struct map_ops *map_ops_for_type(uint32_t type)
{
	return standin_enabled && type != BPF_MAP_TYPE_UNSPEC ? &standin_ops : NULL;
}

/* ---- Helpers of the tests --------------------------------------------- */

static const char *objects_dir;

static void object_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", objects_dir, name);
}

static struct bpfvm *vm_create(void)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = 2 };
	struct bpfvm *vm;

	if (bpfvm_create(&opts, &vm)) {
		fprintf(stderr, "bpfvm_create: %s\n", bpfvm_errmsg());
		exit(1);
	}
	return vm;
}

static int open_object(struct bpfvm *vm, const char *name, struct bpfvm_object **obj)
{
	char path[4096];

	object_path(path, sizeof(path), name);
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

static void check_maps_created(const char *test, struct bpfvm_object *obj)
{
	struct bpfvm_map *map;
	uint32_t key = 0, id = 0, value32 = 0;
	uint64_t value64 = 0;

	map = bpfvm_object_find_map(obj, ".rodata");
	testlib_check(test, map && strcmp(map->region->name, "multi.rodata") == 0 &&
			    map_flags(map) == (BPF_F_RDONLY_PROG | BPF_F_MMAPABLE) &&
			    map->region->frozen,
		      ".rodata: named multi.rodata, read-only to programs, frozen");
	testlib_check(test, map && standin_lookup(map, &key, &value32, 0) == 0 && value32 == 42,
		      ".rodata holds 42 (%u)", value32);
	map = bpfvm_object_find_map(obj, ".data");
	testlib_check(test, map && standin_lookup(map, &key, &value64, 0) == 0 && value64 == 7 &&
			    !map->region->frozen,
		      ".data holds 7, not frozen");
	map = bpfvm_object_find_map(obj, "counts");
	testlib_check(test, map && map_type(map) == BPF_MAP_TYPE_HASH && map_key_size(map) == 4 &&
			    map_value_size(map) == 8 && map_max_entries(map) == 128 &&
			    map_flags(map) == BPF_F_NO_PREALLOC && map_nr_cpus(map) == 2,
		      "counts: hash 4/8/128, no-prealloc");
	map = bpfvm_object_find_map(obj, "outer");
	testlib_check(test, map && map->region->inner_type == BPF_MAP_TYPE_ARRAY &&
			    map->region->inner_max_entries == 2,
		      "outer carries its inner template");
	key = 2;
	testlib_check(test, map && standin_lookup(map, &key, &id, 0) == 0 &&
			    id == bpfvm_object_find_map(obj, "inner_b")->region->id,
		      "outer[2] = inner_b's id (%u)", id);
	for (size_t i = 0; i < bpfvm_object_map_cnt(obj); i++)
		testlib_check(test, bpfvm_object_map(obj, i) != NULL, "map #%zu created", i);
}

static void load_creates_maps_and_relocates(void)
{
	const char *test = "load_creates_maps_and_relocates";
	struct bpfvm *vm = vm_create();
	struct bpfvm_object *obj;
	int err = open_object(vm, "multi.bpf.o", &obj);

	testlib_check(test, err == 0, "open: %d %s", err, bpfvm_errmsg());
	if (err)
		goto out;
	err = bpfvm_object_load(obj);
	/* Without the cgroup_skb program type, prog_prepare refuses prog_b. */
	testlib_check(test, err == 0 || (err == -ENOTSUP && strstr(bpfvm_errmsg(), "multi.bpf.o") &&
					 strstr(bpfvm_errmsg(), "cgroup_skb/egress")),
		      "load: %d %s", err, bpfvm_errmsg());
	check_maps_created(test, obj);
	check_prog_b_relocated(test, obj);
	if (err == 0) {
		struct bpfvm_map *jumps = bpfvm_object_find_map(obj, "jumps");
		uint32_t key = 1, id = 0;

		testlib_check(test, standin_lookup(jumps, &key, &id, 0) == 0 &&
				    id == bpfvm_prog_id(bpfvm_object_find_prog(obj, "prog_b")),
			      "jumps[1] = prog_b's id");
	}
	testlib_check(test, bpfvm_object_load(obj) == -EINVAL, "a second load is refused");
	bpfvm_object_close(obj);
out:
	bpfvm_destroy(vm);
}

static void legacy_maps_are_created(void)
{
	const char *test = "legacy_maps_are_created";
	struct bpfvm *vm = vm_create();
	struct bpfvm_object *obj;
	int err = open_object(vm, "legacy.bpf.o", &obj);

	testlib_check(test, err == 0, "open: %d %s", err, bpfvm_errmsg());
	if (err)
		goto out;
	err = bpfvm_object_load(obj);
	testlib_check(test, err == 0 || err == -ENOTSUP, "load: %d %s", err, bpfvm_errmsg());
	struct bpfvm_map *map = bpfvm_object_find_map(obj, "legacy_hash");
	testlib_check(test, map && map_type(map) == BPF_MAP_TYPE_HASH && map_value_size(map) == 8 &&
			    map_max_entries(map) == 16,
		      "legacy_hash created");
	const struct bpfvm_prog *prog = bpfvm_object_prog(obj, 0);
	testlib_check(test, prog && prog->map_cnt == 2 && !prog->gpl_compatible,
		      "legacy_prog references 2 maps, MIT is not GPL");
	bpfvm_object_close(obj);
out:
	bpfvm_destroy(vm);
}

static void map_creation_failure_names_the_map(void)
{
	const char *test = "map_creation_failure_names_the_map";
	struct bpfvm *vm = vm_create();
	struct bpfvm_object *obj;
	int err = open_object(vm, "multi.bpf.o", &obj);

	if (err) {
		testlib_check(test, false, "open: %d %s", err, bpfvm_errmsg());
		goto out;
	}
	standin_enabled = false; /* as before the map families exist */
	err = bpfvm_object_load(obj);
	standin_enabled = true;
	testlib_check(test, err == -EINVAL && strstr(bpfvm_errmsg(), "multi.bpf.o: map 'inner_a'") &&
			    strstr(bpfvm_errmsg(), "not supported"),
		      "load: %d %s", err, bpfvm_errmsg());
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
	object_path(path, sizeof(path), "callback.bpf.o");
	struct elf_img img = elf_img_load(path);
	Elf64_Sym *sym = elf_img_find_sym(&img, "add_index", NULL);
	if (sym) {
		/* add_index is static: its relocation is against .text with the
		 * offset in imm; move the function symbol instead so that the
		 * callback's target is no longer a function start. */
		sym->st_value += 8;
		sym->st_size -= 8;
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
	objects_dir = argv[1];
	open_finds_programs_in_libbpf_order();
	open_links_subprograms_as_libbpf();
	load_creates_maps_and_relocates();
	legacy_maps_are_created();
	map_creation_failure_names_the_map();
	open_errors_are_precise();
	return testlib_summary();
}
