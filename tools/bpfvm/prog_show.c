/* `bpfvm prog show | list`, bpftool's print_prog_plain / print_prog_json
 * with what bpfvm has (no load time, uid, memlock or BTF id): one PROG, the
 * programs of an object (`of OBJ`), or, without either, every program of
 * the namespace, whichever process loaded or pinned it. With -f, the pins
 * of each (bpftool's "pinned"). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "bpfvm/bpfvm.h"
#include "cli.h"
#include "map_ns.h"
#include "prog_show.h"
#include "ref.h"

static const char *prog_type_name(uint32_t type)
{
	const char *name = type == (uint32_t)BPFVM_PROG_TYPE_RAW
				   ? "raw"
				   : libbpf_bpf_prog_type_str((enum bpf_prog_type)type);

	return name ? name : "unknown";
}

/* The ids of the maps a program references. */
static size_t prog_map_ids(const struct bpfvm_prog *prog, uint32_t *ids, size_t max)
{
	size_t count = bpfvm_prog_map_cnt(prog);
	struct bpfvm_map_info info;

	if (count > max)
		count = max;
	for (size_t i = 0; i < count; i++)
		ids[i] = bpfvm_map_get_info(bpfvm_prog_map(prog, i), &info) ? 0 : info.id;
	return count;
}

static size_t prog_jited_size(const struct bpfvm_prog *prog)
{
	struct bpfvm_jited jited;

	return bpfvm_prog_jited(prog, &jited) ? 0 : jited.size;
}

/* bpftool's fprint_hex of bpf_prog_info.tag, no separator. */
static void tag_hex(const uint8_t tag[BPF_TAG_SIZE], char hex[2 * BPF_TAG_SIZE + 1])
{
	for (int i = 0; i < BPF_TAG_SIZE; i++)
		snprintf(hex + 2 * i, 3, "%02x", tag[i]);
}

static void prog_tag_hex(const struct bpfvm_prog *prog, char hex[2 * BPF_TAG_SIZE + 1])
{
	uint8_t tag[BPF_TAG_SIZE];

	bpfvm_prog_tag(prog, tag);
	tag_hex(tag, hex);
}

static void show_pins_json(struct bpfvm *vm, uint32_t id)
{
	if (!cli_show_pinned)
		return;
	cli_ns_print_pins(vm, id, true);
}

static void show_prog_plain(struct bpfvm *vm, const struct bpfvm_prog *prog)
{
	uint32_t ids[64];
	size_t count = prog_map_ids(prog, ids, 64), jited = prog_jited_size(prog);
	char tag[2 * BPF_TAG_SIZE + 1];

	prog_tag_hex(prog, tag);
	printf("%u: %s  name %s  tag %s", bpfvm_prog_id(prog),
	       prog_type_name(bpfvm_prog_type(prog)), bpfvm_prog_name(prog), tag);
	if (bpfvm_prog_gpl_compatible(prog))
		printf("  gpl");
	printf("\n\txlated %zuB", bpfvm_prog_insn_cnt(prog) * sizeof(struct bpf_insn));
	if (jited)
		printf("  jited %zuB", jited);
	else
		printf("  not jited");
	for (size_t i = 0; i < count; i++)
		printf("%s%u", i ? "," : "  map_ids ", ids[i]);
	printf("\n");
	if (cli_show_pinned)
		cli_ns_print_pins(vm, bpfvm_prog_id(prog), false);
}

static void show_prog_json(struct bpfvm *vm, const struct bpfvm_prog *prog)
{
	uint32_t ids[64];
	size_t count = prog_map_ids(prog, ids, 64), jited = prog_jited_size(prog);
	char tag[2 * BPF_TAG_SIZE + 1];

	prog_tag_hex(prog, tag);
	json_start_object();
	json_uint_field("id", bpfvm_prog_id(prog));
	json_string_field("type", prog_type_name(bpfvm_prog_type(prog)));
	json_string_field("name", bpfvm_prog_name(prog));
	json_string_field("tag", tag);
	json_bool_field("gpl_compatible", bpfvm_prog_gpl_compatible(prog));
	json_uint_field("bytes_xlated", bpfvm_prog_insn_cnt(prog) * sizeof(struct bpf_insn));
	json_bool_field("jited", jited != 0);
	if (jited)
		json_uint_field("bytes_jited", jited);
	json_name("map_ids");
	json_start_array();
	for (size_t i = 0; i < count; i++)
		json_uint(ids[i]);
	json_end_array();
	show_pins_json(vm, bpfvm_prog_id(prog));
	json_end_object();
}

static void show_prog(struct bpfvm *vm, const struct bpfvm_prog *prog)
{
	if (cli_json)
		show_prog_json(vm, prog);
	else
		show_prog_plain(vm, prog);
}

/* A program this process cannot make an instance of: what the
 * namespace's record says, and why. */
static void show_entry(struct bpfvm *vm, const struct bpfvm_ns_entry *entry)
{
	char tag[2 * BPF_TAG_SIZE + 1];

	tag_hex(entry->tag, tag);
	if (cli_json) {
		json_start_object();
		json_uint_field("id", entry->id);
		json_string_field("type", prog_type_name(entry->type));
		json_string_field("name", entry->name);
		json_string_field("tag", tag);
		show_pins_json(vm, entry->id);
		json_end_object();
		return;
	}
	printf("%u: %s  name %.16s  tag %s\n\t(%s)\n", entry->id, prog_type_name(entry->type),
	       entry->name, tag, bpfvm_errmsg());
	if (cli_show_pinned)
		cli_ns_print_pins(vm, entry->id, false);
}

/* The namespace's programs, by id: listed before the output begins, so
 * that a failure is the whole (JSON) output. */
static void show_namespace(struct bpfvm *vm, const struct bpfvm_ns_entry *items, size_t cnt)
{
	for (size_t i = 0; i < cnt; i++) {
		struct bpfvm_prog *prog;

		/* One this process cannot open (a map of it private to its
		 * loader, or gone: docs/cli.md) is listed with the reason. */
		if (bpfvm_prog_get_by_id(vm, items[i].id, &prog)) {
			show_entry(vm, &items[i]);
			continue;
		}
		show_prog(vm, prog);
		bpfvm_prog_close(prog);
	}
}

static void show_object(struct cli_object *co)
{
	for (size_t i = 0; i < bpfvm_object_prog_cnt(co->obj); i++)
		show_prog(co->vm, bpfvm_object_prog(co->obj, i));
}

int cli_prog_show(int argc, char **argv)
{
	struct cli_target target;
	struct bpfvm_prog *only;
	struct bpfvm_ns_entry *items = NULL;
	struct cli_object co;
	size_t cnt = 0;
	int err;

	if (argc == 0)
		memset(&target, 0, sizeof(target)); /* the namespace's programs */
	else if (cli_target_parse(&argc, &argv, &target, "PROG", true))
		return -1;
	if (argc)
		return cli_error("too many arguments");
	if (cli_prog_target_open(&target, &co, &only))
		return -1;
	err = !only && !co.obj ? cli_ns_entries(co.vm, BPFVM_NS_PROG, &items, &cnt) : 0;
	if (err) {
		cli_object_close(&co);
		return cli_error("can't list the namespace's programs: %s", strerror(-err));
	}
	if (cli_json)
		json_begin(cli_pretty);
	if (only) {
		show_prog(co.vm, only);
	} else {
		if (cli_json)
			json_start_array();
		if (co.obj)
			show_object(&co);
		else
			show_namespace(co.vm, items, cnt);
		if (cli_json)
			json_end_array();
	}
	if (cli_json)
		json_end();
	free(items);
	cli_object_close(&co);
	return 0;
}
