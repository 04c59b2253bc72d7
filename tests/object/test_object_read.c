/* The object reader (src/object/) on objects clang built from
 * tests/object/bpf/ (*.bpf.c), and on copies corrupted on purpose: what it
 * finds, as libbpf finds it, and a precise error (negative errno and a
 * message naming the file, section and symbol) for everything it cannot
 * read — never a crash (the sanitizer build runs this too).
 *
 * Usage: test_object_read OBJECTS_DIR */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "elf_edit.h"
#include "object/object.h"
#include "testlib.h"

static const char *objects_dir;

static struct elf_img load(const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", objects_dir, name);
	return elf_img_load(path);
}

static int read_img(const struct elf_img *img, const char *path, struct object_file **file)
{
	return object_read(img->buf, img->size, path, "multi", NULL, file);
}

static const struct object_prog *find_prog(const struct object_file *file, const char *name)
{
	for (uint32_t i = 0; i < file->prog_cnt; i++) {
		if (strcmp(file->progs[i].name, name) == 0)
			return &file->progs[i];
	}
	return NULL;
}

static const struct object_map *find_map(const struct object_file *file, const char *name)
{
	int idx = object_find_map(file, name);

	return idx < 0 ? NULL : &file->maps[idx];
}

static void check_prog(const char *test, const struct object_file *file, const char *name,
		       const char *section, enum bpf_prog_type type,
		       enum bpf_attach_type attach, bool is_subprog)
{
	const struct object_prog *prog = find_prog(file, name);

	testlib_check(test, prog != NULL, "program '%s' not found", name);
	if (!prog)
		return;
	testlib_check(test, strcmp(prog->section, section) == 0, "'%s': section '%s', not '%s'",
		      name, prog->section, section);
	testlib_check(test, prog->type == type && prog->expected_attach_type == attach,
		      "'%s': type %u attach %u, expected %u %u", name, prog->type,
		      prog->expected_attach_type, type, attach);
	testlib_check(test, prog->is_subprog == is_subprog, "'%s': is_subprog %d", name,
		      prog->is_subprog);
}

static void multi_programs_are_found_per_symbol(void)
{
	const char *test = "multi_programs_are_found_per_symbol";
	struct elf_img img = load("multi.bpf.o");
	static const char *const order[] = { "prog_b", "prog_a", "prog_c", "xdp_pass", "on_enter" };
	struct object_file *file;
	uint32_t main_idx = 0;
	int err = read_img(&img, "multi.bpf.o", &file);

	testlib_check(test, err == 0, "read: %d %s", err, bpfvm_errmsg());
	if (err)
		goto out;
	check_prog(test, file, "prog_a", "cgroup_skb/egress", BPF_PROG_TYPE_CGROUP_SKB,
		   BPF_CGROUP_INET_EGRESS, false);
	check_prog(test, file, "prog_b", "cgroup_skb/egress", BPF_PROG_TYPE_CGROUP_SKB,
		   BPF_CGROUP_INET_EGRESS, false);
	check_prog(test, file, "prog_c", "cgroup_skb/egress", BPF_PROG_TYPE_CGROUP_SKB,
		   BPF_CGROUP_INET_EGRESS, false);
	check_prog(test, file, "xdp_pass", "xdp", BPF_PROG_TYPE_XDP, BPF_XDP, false);
	check_prog(test, file, "on_enter", "raw_tp/sys_enter", BPF_PROG_TYPE_RAW_TRACEPOINT, 0,
		   false);
	check_prog(test, file, "global_helper", ".text", 0, 0, true);
	check_prog(test, file, "add_static", ".text", 0, 0, true);
	/* libbpf's order: by section, then offset within it (clang places
	 * prog_b before prog_a in this build: whichever, offsets increase). */
	for (uint32_t i = 0; i < file->prog_cnt; i++) {
		const struct object_prog *prog = &file->progs[i];

		if (prog->is_subprog)
			continue;
		testlib_check(test, main_idx < 5 && strcmp(prog->name, order[main_idx]) == 0,
			      "program #%u is '%s', expected '%s'", main_idx, prog->name,
			      main_idx < 5 ? order[main_idx] : "none");
		main_idx++;
	}
	testlib_check(test, strcmp(file->license, "Dual BSD/GPL") == 0, "license '%s'",
		      file->license);
	testlib_check(test, object_license_is_gpl(file->license), "Dual BSD/GPL is GPL-compatible");
	object_file_free(file);
out:
	elf_img_free(&img);
}

struct expected_map {
	const char *name;
	const char *real_name;
	uint32_t type, key_size, value_size, max_entries, map_flags;
};

static void multi_maps_are_read_in_libbpf_order(void)
{
	const char *test = "multi_maps_are_read_in_libbpf_order";
	static const struct expected_map expected[] = {
		{ "inner_a", "inner_a", BPF_MAP_TYPE_ARRAY, 4, 4, 2, 0 },
		{ "inner_b", "inner_b", BPF_MAP_TYPE_ARRAY, 4, 4, 2, 0 },
		{ "outer", "outer", BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 3, 0 },
		{ "jumps", "jumps", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0 },
		{ "counts", "counts", BPF_MAP_TYPE_HASH, 4, 8, 128, BPF_F_NO_PREALLOC },
		{ "scratch", "scratch", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 16, 4, 0 },
		{ "pinned_lru", "pinned_lru", BPF_MAP_TYPE_LRU_HASH, 8, 4, 32, 0 },
		{ "multi.data", ".data", BPF_MAP_TYPE_ARRAY, 4, 8, 1, BPF_F_MMAPABLE },
		{ "multi.rodata", ".rodata", BPF_MAP_TYPE_ARRAY, 4, 4, 1,
		  BPF_F_MMAPABLE | BPF_F_RDONLY_PROG },
		{ ".data.custom", ".data.custom", BPF_MAP_TYPE_ARRAY, 4, 4, 1, BPF_F_MMAPABLE },
		{ ".rodata.custom", ".rodata.custom", BPF_MAP_TYPE_ARRAY, 4, 2, 1,
		  BPF_F_MMAPABLE | BPF_F_RDONLY_PROG },
		{ "multi.bss", ".bss", BPF_MAP_TYPE_ARRAY, 4, 8, 1, BPF_F_MMAPABLE },
	};
	size_t n = sizeof(expected) / sizeof(expected[0]);
	struct elf_img img = load("multi.bpf.o");
	const struct object_map *map;
	struct object_file *file;
	int err = read_img(&img, "multi.bpf.o", &file);

	testlib_check(test, err == 0, "read: %d %s", err, bpfvm_errmsg());
	if (err)
		goto out;
	testlib_check(test, file->map_cnt == n, "%u maps, expected %zu", file->map_cnt, n);
	for (size_t i = 0; i < n && i < file->map_cnt; i++) {
		const struct expected_map *e = &expected[i];
		const struct object_map *m = &file->maps[i];

		testlib_check(test, strcmp(m->name, e->name) == 0 &&
				    strcmp(m->real_name, e->real_name) == 0,
			      "map #%zu is '%s' (%s), expected '%s' (%s)", i, m->name,
			      m->real_name, e->name, e->real_name);
		testlib_check(test, m->def.type == e->type && m->def.key_size == e->key_size &&
				    m->def.value_size == e->value_size &&
				    m->def.max_entries == e->max_entries &&
				    m->def.map_flags == e->map_flags,
			      "map '%s': type %u key %u value %u max %u flags 0x%x", m->name,
			      m->def.type, m->def.key_size, m->def.value_size,
			      m->def.max_entries, m->def.map_flags);
	}
	map = find_map(file, "outer");
	testlib_check(test, map && map->has_inner && map->inner.type == BPF_MAP_TYPE_ARRAY &&
			    map->inner.max_entries == 2 && map->inner.value_size == 4,
		      "outer's inner map template");
	testlib_check(test, map && map->slot_cnt == 2 && map->slots[0].index == 0 &&
			    strcmp(file->maps[map->slots[0].target].name, "inner_a") == 0 &&
			    map->slots[1].index == 2 &&
			    strcmp(file->maps[map->slots[1].target].name, "inner_b") == 0,
		      "outer = { [0] = &inner_a, [2] = &inner_b }");
	map = find_map(file, "jumps");
	testlib_check(test, map && map->slot_cnt == 1 && map->slots[0].index == 1 &&
			    strcmp(file->progs[map->slots[0].target].name, "prog_b") == 0,
		      "jumps = { [1] = &prog_b }");
	map = find_map(file, "pinned_lru");
	testlib_check(test, map && map->def.pinning == OBJECT_PIN_BY_NAME && map->def.numa_node == 1,
		      "pinned_lru: pinning by name, numa_node 1");
	map = find_map(file, ".rodata");
	testlib_check(test, map && map->data && *(const uint32_t *)map->data == 42,
		      ".rodata holds rodata_limit = 42");
	map = find_map(file, ".data.custom");
	testlib_check(test, map && map->data && *(const uint32_t *)map->data == 0x11223344,
		      ".data.custom holds 0x11223344");
	map = find_map(file, ".bss");
	testlib_check(test, map && !map->data, ".bss has no contents");
	bool numa_noted = false, pin_noted = false;
	for (uint32_t i = 0; i < file->note_cnt; i++) {
		numa_noted |= strstr(file->notes[i], "numa_node 1 ignored") != NULL;
		pin_noted |= strstr(file->notes[i], "'pinned_lru': pinning by name") != NULL;
	}
	testlib_check(test, numa_noted, "numa_node is noted as ignored");
	testlib_check(test, pin_noted, "pinning by name is noted as not honoured");
	object_file_free(file);
out:
	elf_img_free(&img);
}

static void multi_relocations_are_recorded(void)
{
	const char *test = "multi_relocations_are_recorded";
	struct elf_img img = load("multi.bpf.o");
	const struct object_prog *prog;
	struct object_file *file;
	int err = read_img(&img, "multi.bpf.o", &file);
	unsigned calls = 0, maps = 0, values = 0;

	testlib_check(test, err == 0, "read: %d %s", err, bpfvm_errmsg());
	if (err)
		goto out;
	prog = find_prog(file, "prog_b");
	for (uint32_t i = 0; prog && i < prog->reloc_cnt; i++) {
		const struct object_reloc *r = &prog->relocs[i];

		calls += r->kind == OBJECT_RELOC_CALL;
		maps += r->kind == OBJECT_RELOC_MAP &&
			strcmp(file->maps[r->map_idx].name, "jumps") == 0;
		values += r->kind == OBJECT_RELOC_MAP_VALUE &&
			  (strcmp(file->maps[r->map_idx].real_name, ".data.custom") == 0 ||
			   strcmp(file->maps[r->map_idx].real_name, ".rodata.custom") == 0);
		testlib_check(test, r->insn_idx < prog->insn_cnt, "reloc insn %u in range",
			      r->insn_idx);
	}
	testlib_check(test, calls == 1 && maps == 1 && values >= 1,
		      "prog_b: 1 call (%u), 1 jumps lddw (%u), custom data (%u)", calls, maps,
		      values);
	prog = find_prog(file, "global_helper");
	bool counts = false;
	for (uint32_t i = 0; prog && i < prog->reloc_cnt; i++)
		counts |= prog->relocs[i].kind == OBJECT_RELOC_MAP &&
			  strcmp(file->maps[prog->relocs[i].map_idx].name, "counts") == 0;
	testlib_check(test, counts, "the subprogram global_helper references counts");
	object_file_free(file);
out:
	elf_img_free(&img);
}

static void legacy_maps_section_is_read(void)
{
	const char *test = "legacy_maps_section_is_read";
	struct elf_img img = load("legacy.bpf.o");
	struct object_file *file;
	int err = read_img(&img, "legacy.bpf.o", &file);

	testlib_check(test, err == 0, "read: %d %s", err, bpfvm_errmsg());
	if (err)
		goto out;
	testlib_check(test, file->map_cnt == 2 && strcmp(file->maps[0].name, "legacy_hash") == 0 &&
			    file->maps[0].def.type == BPF_MAP_TYPE_HASH &&
			    file->maps[0].def.key_size == 4 && file->maps[0].def.value_size == 8 &&
			    file->maps[0].def.max_entries == 16 &&
			    strcmp(file->maps[1].name, "legacy_array") == 0 &&
			    file->maps[1].def.type == BPF_MAP_TYPE_ARRAY,
		      "legacy_hash and legacy_array");
	testlib_check(test, file->prog_cnt == 1 && file->progs[0].reloc_cnt == 2 &&
			    file->progs[0].type == BPF_PROG_TYPE_SOCKET_FILTER,
		      "one socket program with two map relocations");
	testlib_check(test, !object_license_is_gpl(file->license), "MIT is not GPL-compatible");
	object_file_free(file);
out:
	elf_img_free(&img);
}

static void callback_address_is_a_func_relocation(void)
{
	const char *test = "callback_address_is_a_func_relocation";
	struct elf_img img = load("callback.bpf.o");
	const struct object_prog *prog;
	struct object_file *file;
	int err = read_img(&img, "callback.bpf.o", &file);

	testlib_check(test, err == 0, "read: %d %s", err, bpfvm_errmsg());
	if (err)
		goto out;
	prog = find_prog(file, "with_loop");
	testlib_check(test, prog && prog->reloc_cnt == 1 &&
			    prog->relocs[0].kind == OBJECT_RELOC_FUNC_ADDR,
		      "with_loop: one function-address relocation");
	object_file_free(file);
out:
	elf_img_free(&img);
}

struct section_case {
	const char *prog;
	enum bpf_prog_type type;
	uint32_t attach;
	uint32_t flags;
};

static void section_names_map_as_libbpf(void)
{
	const char *test = "section_names_map_as_libbpf";
	static const struct section_case cases[] = {
		{ "s_xdp", BPF_PROG_TYPE_XDP, BPF_XDP, 0 },
		{ "s_xdp_frags", BPF_PROG_TYPE_XDP, BPF_XDP, BPF_F_XDP_HAS_FRAGS },
		{ "s_xdp_devmap", BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, 0 },
		{ "s_tc", BPF_PROG_TYPE_SCHED_CLS, 0, 0 },
		{ "s_classifier", BPF_PROG_TYPE_SCHED_CLS, 0, 0 },
		{ "s_action", BPF_PROG_TYPE_SCHED_ACT, 0, 0 },
		{ "s_socket", BPF_PROG_TYPE_SOCKET_FILTER, 0, 0 },
		{ "s_cg_ingress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS, 0 },
		{ "s_cg_egress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS, 0 },
		{ "s_raw_tracepoint", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0 },
		{ "s_raw_tp", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0 },
		{ "s_tracepoint", BPF_PROG_TYPE_TRACEPOINT, 0, 0 },
		{ "s_tp", BPF_PROG_TYPE_TRACEPOINT, 0, 0 },
		{ "s_kprobe", BPF_PROG_TYPE_KPROBE, 0, 0 },
		{ "s_kretprobe", BPF_PROG_TYPE_KPROBE, 0, 0 },
		{ "s_uprobe", BPF_PROG_TYPE_KPROBE, 0, 0 },
		{ "s_perf_event", BPF_PROG_TYPE_PERF_EVENT, 0, 0 },
		{ "s_sockops", BPF_PROG_TYPE_SOCK_OPS, BPF_CGROUP_SOCK_OPS, 0 },
		{ "s_sk_skb_verdict", BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_STREAM_VERDICT, 0 },
		{ "s_sk_skb", BPF_PROG_TYPE_SK_SKB, 0, 0 },
		{ "s_sk_msg", BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT, 0 },
		{ "s_connect4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, 0 },
		{ "s_cg_sock", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, 0 },
		{ "s_lwt_in", BPF_PROG_TYPE_LWT_IN, 0, 0 },
		{ "s_flow_dissector", BPF_PROG_TYPE_FLOW_DISSECTOR, BPF_FLOW_DISSECTOR, 0 },
		{ "s_sk_lookup", BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP, 0 },
		{ "s_fentry", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, 0 },
		{ "s_fexit", BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, 0 },
		{ "s_lsm", BPF_PROG_TYPE_LSM, BPF_LSM_MAC, 0 },
		{ "s_tcx_ingress", BPF_PROG_TYPE_SCHED_CLS, 46 /* BPF_TCX_INGRESS */, 0 },
	};
	struct elf_img img = load("sections.bpf.o");
	struct object_file *file;
	int err = read_img(&img, "sections.bpf.o", &file);

	testlib_check(test, err == 0, "read: %d %s", err, bpfvm_errmsg());
	if (err)
		goto out;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct object_prog *prog = find_prog(file, cases[i].prog);

		testlib_check(test, prog && prog->type == cases[i].type &&
				    (uint32_t)prog->expected_attach_type == cases[i].attach &&
				    prog->prog_flags == cases[i].flags,
			      "%s: type %d attach %d flags %u", cases[i].prog, prog ? (int)prog->type : -1,
			      prog ? (int)prog->expected_attach_type : -1, prog ? prog->prog_flags : 0);
	}
	object_file_free(file);
out:
	elf_img_free(&img);
	/* The matching rules themselves, on names no object here uses. */
	testlib_check(test, object_find_sec_def("kprobe") && object_find_sec_def("kprobe/x+0x10"),
		      "kprobe+ matches 'kprobe' and 'kprobe/...'");
	testlib_check(test, !object_find_sec_def("kprobex") && !object_find_sec_def("xdp/foo") &&
			    !object_find_sec_def("tc/foo") && !object_find_sec_def(""),
		      "'kprobex', 'xdp/foo', 'tc/foo', '' match nothing");
	testlib_check(test, object_find_sec_def("uprobe.s/bin:f")->prog_flags == BPF_F_SLEEPABLE,
		      "uprobe.s+ is sleepable");
}

/* An object that must not open: the errno and words of the message. */
static void expect_error(const char *test, const struct elf_img *img, int expected_err,
			 const char *needle1, const char *needle2)
{
	struct object_file *file = NULL;
	int err = object_read(img->buf, img->size, "broken.o", "broken", NULL, &file);
	const char *msg = bpfvm_errmsg();

	testlib_check(test, err == expected_err, "error %d, expected %d (%s)", err, expected_err,
		      msg);
	testlib_check(test, strncmp(msg, "broken.o: ", 10) == 0, "message names the file: %s", msg);
	testlib_check(test, !needle1 || strstr(msg, needle1), "message lacks '%s': %s", needle1,
		      msg);
	testlib_check(test, !needle2 || strstr(msg, needle2), "message lacks '%s': %s", needle2,
		      msg);
	if (!err)
		object_file_free(file);
}

static void every_truncation_is_refused(void)
{
	const char *test = "every_truncation_is_refused";
	struct elf_img img = load("multi.bpf.o");
	unsigned failures = 0;

	for (size_t len = 0; len < img.size; len += len < 128 ? 1 : 61) {
		struct object_file *file = NULL;
		int err = object_read(img.buf, len, "truncated.o", "t", NULL, &file);

		if (err >= 0 || !bpfvm_errmsg()[0]) {
			failures++;
			testlib_check(test, false, "truncated at %zu: err %d", len, err);
			object_file_free(file);
		}
	}
	testlib_check(test, failures == 0, "%u truncations accepted", failures);
	elf_img_free(&img);
}

static void corrupt_headers_are_refused(void)
{
	const char *test = "corrupt_headers_are_refused";
	struct elf_img good = load("multi.bpf.o"), img;
	size_t sec;

	img = elf_img_copy(&good);
	elf_img_ehdr(&img)->e_machine = EM_X86_64;
	expect_error(test, &img, -EINVAL, "not a BPF object", NULL);
	elf_img_free(&img);

	img = elf_img_copy(&good);
	elf_img_ehdr(&img)->e_shoff = img.size * 4;
	expect_error(test, &img, -EINVAL, NULL, NULL);
	elf_img_free(&img);

	img = elf_img_copy(&good);
	elf_img_ehdr(&img)->e_shstrndx = 200;
	expect_error(test, &img, -EINVAL, NULL, NULL);
	elf_img_free(&img);

	img = elf_img_copy(&good);
	sec = elf_img_find_sec(&img, "xdp");
	elf_img_shdr(&img, sec)->sh_name = 0x7fffffff;
	expect_error(test, &img, -EINVAL, "section #", "name offset");
	elf_img_free(&img);

	img = elf_img_copy(&good);
	sec = elf_img_find_sec(&img, "xdp");
	elf_img_shdr(&img, sec)->sh_offset = img.size - 8;
	expect_error(test, &img, -EINVAL, "section 'xdp'", "outside the file");
	elf_img_free(&img);

	img = elf_img_copy(&good);
	sec = elf_img_find_sec(&img, ".symtab");
	elf_img_shdr(&img, sec)->sh_link = 999;
	expect_error(test, &img, -EINVAL, "string table", NULL);
	elf_img_free(&img);

	img = elf_img_copy(&good);
	sec = elf_img_find_sec(&img, ".relxdp");
	elf_img_shdr(&img, sec)->sh_info = 999;
	expect_error(test, &img, -EINVAL, "'.relxdp'", "malformed relocation section");
	elf_img_free(&img);
	elf_img_free(&good);
}

static void corrupt_symbols_are_refused(void)
{
	const char *test = "corrupt_symbols_are_refused";
	struct elf_img good = load("multi.bpf.o"), img;
	Elf64_Sym *sym;

	img = elf_img_copy(&good);
	sym = elf_img_find_sym(&img, "xdp_pass", NULL);
	sym->st_size = 1 << 20;
	expect_error(test, &img, -EINVAL, "program 'xdp_pass'", "crosses the section's end");
	elf_img_free(&img);

	img = elf_img_copy(&good);
	sym = elf_img_find_sym(&img, "xdp_pass", NULL);
	sym->st_value = 4;
	expect_error(test, &img, -EINVAL, "program 'xdp_pass'", "whole number of instructions");
	elf_img_free(&img);

	img = elf_img_copy(&good);
	sym = elf_img_find_sym(&img, "xdp_pass", NULL);
	sym->st_name = 0x7ffffff0;
	expect_error(test, &img, -EINVAL, "section 'xdp'", "no readable name");
	elf_img_free(&img);

	img = elf_img_copy(&good);
	sym = elf_img_find_sym(&img, "xdp_pass", NULL);
	sym->st_info = ELF64_ST_INFO(STB_LOCAL, STT_FUNC);
	expect_error(test, &img, -ENOTSUP, "program 'xdp_pass' is static", NULL);
	elf_img_free(&img);

	/* The map's symbol is smaller than its definition. */
	img = elf_img_copy(&good);
	sym = elf_img_find_sym(&img, "scratch", NULL);
	sym->st_size = 4;
	expect_error(test, &img, -EINVAL, "map 'scratch'", "invalid definition size");
	elf_img_free(&img);

	/* The map symbol now lives in the license section. */
	img = elf_img_copy(&good);
	sym = elf_img_find_sym(&img, "pinned_lru", NULL);
	sym->st_shndx = (Elf64_Section)elf_img_find_sec(&img, "license");
	expect_error(test, &img, -EINVAL, NULL, NULL);
	elf_img_free(&img);
	elf_img_free(&good);
}

static void corrupt_relocations_are_refused(void)
{
	const char *test = "corrupt_relocations_are_refused";
	struct elf_img good = load("multi.bpf.o"), img;
	Elf64_Rel *rel;

	img = elf_img_copy(&good);
	rel = elf_img_rel(&img, ".relxdp", 0);
	rel->r_info = ELF64_R_INFO(100000, ELF64_R_TYPE(rel->r_info));
	expect_error(test, &img, -EINVAL, "'.relxdp'", "symbol #100000 is invalid");
	elf_img_free(&img);

	img = elf_img_copy(&good);
	rel = elf_img_rel(&img, ".relxdp", 0);
	rel->r_offset += 4;
	expect_error(test, &img, -EINVAL, "'.relxdp'", "invalid offset");
	elf_img_free(&img);

	img = elf_img_copy(&good);
	rel = elf_img_rel(&img, ".relxdp", 0);
	rel->r_offset = 1 << 20;
	expect_error(test, &img, -EINVAL, "'.relxdp'", "invalid offset");
	elf_img_free(&img);

	/* Pointing at the instruction after the lddw (its second half). */
	img = elf_img_copy(&good);
	rel = elf_img_rel(&img, ".relxdp", 0);
	rel->r_offset += 8;
	expect_error(test, &img, -EINVAL, "section 'xdp': program 'xdp_pass'",
		     "neither lddw nor call");
	elf_img_free(&img);

	img = elf_img_copy(&good);
	rel = elf_img_rel(&img, ".relxdp", 0);
	rel->r_info = ELF64_R_INFO(ELF64_R_SYM(rel->r_info), 2);
	expect_error(test, &img, -EINVAL, "program 'xdp_pass'", "unknown relocation type 2");
	elf_img_free(&img);

	img = elf_img_copy(&good);
	rel = elf_img_rel(&img, ".rel.maps", 0);
	rel->r_offset = 1 << 20;
	expect_error(test, &img, -EINVAL, "'.rel.maps'", "no map there");
	elf_img_free(&img);
	elf_img_free(&good);
}

static void bad_btf_is_refused(void)
{
	const char *test = "bad_btf_is_refused";
	struct elf_img good = load("multi.bpf.o"), img;
	uint8_t *p;
	size_t sec;

	img = elf_img_copy(&good);
	sec = elf_img_find_sec(&img, ".BTF");
	img.buf[elf_img_shdr(&img, sec)->sh_offset] ^= 0xff;
	expect_error(test, &img, -EINVAL, "section '.BTF'", "malformed BTF");
	elf_img_free(&img);

	img = elf_img_copy(&good);
	p = elf_img_find_bytes(&img, ".BTF", "max_entries", sizeof("max_entries"));
	if (p)
		memcpy(p, "max_entriez", sizeof("max_entriez"));
	expect_error(test, &img, -ENOTSUP, "map 'inner_a'", "unknown field 'max_entriez'");
	elf_img_free(&img);

	img = elf_img_copy(&good);
	sec = elf_img_find_sec(&img, ".BTF");
	elf_img_shdr(&img, sec)->sh_name = elf_img_shdr(&img, elf_img_find_sec(&img, ".text"))->sh_name;
	expect_error(test, &img, -EINVAL, NULL, NULL);
	elf_img_free(&img);
	elf_img_free(&good);
}

static _Atomic unsigned app_printer_calls;

static int app_printer(enum libbpf_print_level level, const char *format, va_list args)
{
	app_printer_calls++;
	return 0;
}

/* multi.bpf.o with its BTF's type_len 4 bytes short (see below). */
static struct elf_img malformed_btf_img(uint8_t **btf_data, uint32_t *btf_size)
{
	struct elf_img img = load("multi.bpf.o");
	size_t sec = elf_img_find_sec(&img, ".BTF");
	uint32_t type_len;

	*btf_data = img.buf + elf_img_shdr(&img, sec)->sh_offset;
	*btf_size = (uint32_t)elf_img_shdr(&img, sec)->sh_size;
	memcpy(&type_len, *btf_data + 12, 4); /* struct btf_header.type_len */
	type_len -= 4;
	memcpy(*btf_data + 12, &type_len, 4);
	return img;
}

/* libbpf's warnings for one btf__new of the malformed BTF, straight. */
static unsigned libbpf_warnings_of(const uint8_t *btf_data, uint32_t btf_size)
{
	unsigned before = app_printer_calls;
	struct btf *btf = btf__new(btf_data, btf_size);

	if (!libbpf_get_error(btf))
		btf__free(btf);
	return app_printer_calls - before;
}

/* Runs object_read on img with stderr sent to a temporary file; returns the
 * number of bytes written to stderr meanwhile, or -1. */
static long read_capturing_stderr(const struct elf_img *img, int *err)
{
	struct object_file *file = NULL;
	FILE *capture = tmpfile();
	int saved = dup(2);
	long written;

	if (!capture || saved < 0)
		return -1;
	fflush(stderr);
	dup2(fileno(capture), 2);
	*err = object_read(img->buf, img->size, "broken.o", "broken", NULL, &file);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	written = ftell(capture) < 0 ? -1 : (fseek(capture, 0, SEEK_END), ftell(capture));
	fclose(capture);
	if (!*err)
		object_file_free(file);
	return written;
}

/* BTF whose last type record runs past type_len: libbpf 1.1's btf__new
 * warns "BTF type [N] is malformed" through its process-wide printer. The
 * reader refuses the object without a byte on stderr and without the
 * application's printer hearing of it, and leaves that printer installed. */
static void malformed_btf_prints_nothing(void)
{
	const char *test = "malformed_btf_prints_nothing";
	uint8_t *btf_data;
	uint32_t btf_size;
	struct elf_img img = malformed_btf_img(&btf_data, &btf_size);
	libbpf_print_fn_t before = libbpf_set_print(app_printer), after;
	unsigned warnings = libbpf_warnings_of(btf_data, btf_size);
	long written;
	int err = 0;

	testlib_check(test, warnings > 0, "the corruption makes libbpf itself warn");
	app_printer_calls = 0;
	written = read_capturing_stderr(&img, &err);
	after = libbpf_set_print(before);
	testlib_check(test, err == -EINVAL && strstr(bpfvm_errmsg(), "malformed BTF"),
		      "refused: %d %s", err, bpfvm_errmsg());
	testlib_check(test, written == 0, "%ld bytes on stderr", written);
	testlib_check(test, app_printer_calls == 0, "the application's printer got %u messages",
		      app_printer_calls);
	testlib_check(test, after == app_printer, "the application's printer is installed again");
	elf_img_free(&img);
}

struct quiet_thread {
	const struct elf_img *img;
	const uint8_t *btf_data;
	uint32_t btf_size;
	unsigned rounds;
	bool direct; /* btf__new itself, as an application would, else object_read */
	int failures;
};

static void *quiet_thread_run(void *arg)
{
	struct quiet_thread *t = arg;

	for (unsigned i = 0; i < t->rounds; i++) {
		struct object_file *file = NULL;

		if (t->direct) {
			libbpf_warnings_of(t->btf_data, t->btf_size);
		} else if (object_read(t->img->buf, t->img->size, "broken.o", "broken", NULL, &file) !=
			   -EINVAL) {
			t->failures++;
			object_file_free(file);
		}
	}
	return NULL;
}

/* Two threads open the malformed object while a third parses the same BTF
 * through libbpf directly: every warning of the third reaches the
 * application's printer (none of the readers' do), and the printer is still
 * the application's at the end. */
static void other_threads_libbpf_warnings_still_reach_the_application(void)
{
	const char *test = "other_threads_libbpf_warnings_still_reach_the_application";
	uint8_t *btf_data;
	uint32_t btf_size;
	struct elf_img img = malformed_btf_img(&btf_data, &btf_size);
	libbpf_print_fn_t before = libbpf_set_print(app_printer), after;
	unsigned per_call = libbpf_warnings_of(btf_data, btf_size);
	struct quiet_thread threads[3];
	pthread_t ids[3];

	for (int i = 0; i < 3; i++) {
		threads[i] = (struct quiet_thread){ .img = &img, .btf_data = btf_data,
						    .btf_size = btf_size, .rounds = 2000,
						    .direct = i == 2 };
	}
	app_printer_calls = 0;
	for (int i = 0; i < 3; i++)
		pthread_create(&ids[i], NULL, quiet_thread_run, &threads[i]);
	for (int i = 0; i < 3; i++)
		pthread_join(ids[i], NULL);
	after = libbpf_set_print(before);
	testlib_check(test, per_call > 0 && app_printer_calls == 2000 * per_call,
		      "the application got %u warnings, %u expected", app_printer_calls,
		      2000 * per_call);
	testlib_check(test, threads[0].failures == 0 && threads[1].failures == 0,
		      "every read refused the object");
	testlib_check(test, after == app_printer, "the application's printer is installed again");
	elf_img_free(&img);
}

static void unsupported_objects_name_what_is_unsupported(void)
{
	const char *test = "unsupported_objects_name_what_is_unsupported";
	struct elf_img img;
	size_t sec;

	img = load("unknown_section.bpf.o");
	expect_error(test, &img, -EINVAL, "section 'xdp_foo': program 'weird'",
		     "unknown section name");
	elf_img_free(&img);

	img = load("kconfig.bpf.o");
	expect_error(test, &img, -ENOTSUP, "'CONFIG_BPFVM_PAIR'", "type is unsupported");
	elf_img_free(&img);

	img = load("legacy.bpf.o");
	sec = elf_img_find_sec(&img, "maps");
	elf_img_shdr(&img, sec)->sh_size = 41;
	expect_error(test, &img, -EINVAL, "section 'maps'", "cannot determine the size");
	elf_img_free(&img);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJECTS_DIR\n", argv[0]);
		return 2;
	}
	objects_dir = argv[1];
	multi_programs_are_found_per_symbol();
	multi_maps_are_read_in_libbpf_order();
	multi_relocations_are_recorded();
	legacy_maps_section_is_read();
	callback_address_is_a_func_relocation();
	section_names_map_as_libbpf();
	every_truncation_is_refused();
	corrupt_headers_are_refused();
	corrupt_symbols_are_refused();
	corrupt_relocations_are_refused();
	bad_btf_is_refused();
	malformed_btf_prints_nothing();
	other_threads_libbpf_warnings_still_reach_the_application();
	unsupported_objects_name_what_is_unsupported();
	return testlib_summary();
}
