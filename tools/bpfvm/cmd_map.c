/* `bpfvm map show|dump|lookup`: bpftool's `map` commands, on the maps of an
 * object file that bpfvm loads itself, in bpftool's plain (hex) formats. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "bpfvm/bpfvm.h"
#include "cli.h"

static bool map_is_per_cpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

static const char *map_type_name(uint32_t type)
{
	const char *name = libbpf_bpf_map_type_str((enum bpf_map_type)type);

	return name ? name : "unknown";
}

/* ---- show ------------------------------------------------------------ */

static void show_map(struct bpfvm_map *map)
{
	struct bpfvm_map_info info;

	if (bpfvm_map_get_info(map, &info)) {
		cli_fail(bpfvm_map_name(map));
		return;
	}
	if (cli_json) {
		printf("{\"id\":%u,\"type\":", info.id);
		cli_print_json_string(stdout, map_type_name(info.type));
		printf(",\"name\":");
		cli_print_json_string(stdout, bpfvm_map_name(map));
		printf(",\"flags\":%u,\"bytes_key\":%u,\"bytes_value\":%u,\"max_entries\":%u}",
		       info.map_flags, info.key_size, info.value_size, info.max_entries);
		return;
	}
	printf("%u: %s  name %s  flags 0x%x\n", info.id, map_type_name(info.type),
	       bpfvm_map_name(map), info.map_flags);
	printf("\tkey %uB  value %uB  max_entries %u\n", info.key_size, info.value_size,
	       info.max_entries);
}

/* bpfvm map show OBJ [name MAP] */
static int cmd_show(int argc, char **argv)
{
	struct bpfvm_map *only = NULL;
	struct cli_object co;

	if (argc != 1 && !(argc == 3 && strcmp(argv[1], "name") == 0))
		return cli_error("map show: expected OBJ [name MAP]") + 1;
	if (cli_object_load(argv[0], &co))
		return 1;
	if (argc == 3 && !(only = cli_find_map(&co, argv[2]))) {
		cli_object_close(&co);
		return 1;
	}
	if (cli_json)
		putchar('[');
	for (size_t i = 0, shown = 0; i < bpfvm_object_map_cnt(co.obj); i++) {
		struct bpfvm_map *map = bpfvm_object_map(co.obj, i);

		if (only && map != only)
			continue;
		if (cli_json && shown++)
			putchar(',');
		show_map(map);
	}
	if (cli_json)
		printf("]\n");
	cli_object_close(&co);
	return 0;
}

/* ---- dump and lookup ------------------------------------------------- */

struct entry_printer {
	struct bpfvm_map_info info;
	uint32_t nr_cpus;
	bool first;
};

/* bpftool's print_entry_plain: key and value on one line when short,
 * broken over lines when long; per-CPU values one line per CPU. */
static void print_entry_plain(const struct entry_printer *p, const uint8_t *key,
			      const uint8_t *value)
{
	uint32_t step = (p->info.value_size + 7) & ~7u;

	if (!map_is_per_cpu(p->info.type)) {
		bool break_names = p->info.key_size > 16 || p->info.value_size > 16;
		bool single_line = p->info.key_size + p->info.value_size <= 24 && !break_names;

		printf("key:%c", break_names ? '\n' : ' ');
		cli_print_hex(stdout, key, p->info.key_size);
		printf(single_line ? "  " : "\n");
		printf("value:%c", break_names ? '\n' : ' ');
		cli_print_hex(stdout, value, p->info.value_size);
		printf("\n");
		return;
	}
	printf("key:\n");
	cli_print_hex(stdout, key, p->info.key_size);
	printf("\n");
	for (uint32_t cpu = 0; cpu < p->nr_cpus; cpu++) {
		printf("value (CPU %02u):%c", cpu, p->info.value_size > 16 ? '\n' : ' ');
		cli_print_hex(stdout, value + (size_t)cpu * step, p->info.value_size);
		printf("\n");
	}
}

/* bpftool's print_entry_json without BTF. */
static void print_entry_json(struct entry_printer *p, const uint8_t *key, const uint8_t *value)
{
	uint32_t step = (p->info.value_size + 7) & ~7u;

	printf("%s{\"key\":", p->first ? "" : ",");
	p->first = false;
	cli_print_json_hex(stdout, key, p->info.key_size);
	if (!map_is_per_cpu(p->info.type)) {
		printf(",\"value\":");
		cli_print_json_hex(stdout, value, p->info.value_size);
		printf("}");
		return;
	}
	printf(",\"values\":[");
	for (uint32_t cpu = 0; cpu < p->nr_cpus; cpu++) {
		printf("%s{\"cpu\":%u,\"value\":", cpu ? "," : "", cpu);
		cli_print_json_hex(stdout, value + (size_t)cpu * step, p->info.value_size);
		printf("}");
	}
	printf("]}");
}

static void print_entry(struct entry_printer *p, const uint8_t *key, const uint8_t *value)
{
	if (cli_json)
		print_entry_json(p, key, value);
	else
		print_entry_plain(p, key, value);
}

static int entry_printer_init(struct cli_object *co, struct bpfvm_map *map,
			      struct entry_printer *p)
{
	memset(p, 0, sizeof(*p));
	p->first = true;
	p->nr_cpus = bpfvm_nr_cpus(co->vm);
	if (bpfvm_map_get_info(map, &p->info))
		return cli_fail(bpfvm_map_name(map));
	return 0;
}

static int dump_map(struct cli_object *co, struct bpfvm_map *map)
{
	struct entry_printer p;
	uint8_t *key, *next, *value;
	unsigned count = 0;
	int err;

	if (entry_printer_init(co, map, &p))
		return 1;
	key = calloc(1, p.info.key_size + 1);
	next = calloc(1, p.info.key_size + 1);
	value = calloc(1, bpfvm_map_value_size_user(map) + 1);
	if (cli_json)
		putchar('[');
	for (err = bpfvm_map_get_next_key(map, NULL, next); err == 0;
	     err = bpfvm_map_get_next_key(map, key, next)) {
		memcpy(key, next, p.info.key_size);
		if (bpfvm_map_lookup(map, key, value))
			continue; /* deleted meanwhile, as bpftool skips it */
		print_entry(&p, key, value);
		count++;
	}
	if (cli_json)
		printf("]\n");
	else
		printf("Found %u element%s\n", count, count != 1 ? "s" : "");
	free(key);
	free(next);
	free(value);
	if (err != -ENOENT)
		return cli_fail(bpfvm_map_name(map));
	return 0;
}

/* bpfvm map dump OBJ name MAP */
static int cmd_dump(int argc, char **argv)
{
	struct bpfvm_map *map;
	struct cli_object co;
	int err;

	if (argc != 3 || strcmp(argv[1], "name") != 0)
		return cli_error("map dump: expected OBJ name MAP") + 1;
	if (cli_object_load(argv[0], &co))
		return 1;
	map = cli_find_map(&co, argv[2]);
	err = map ? dump_map(&co, map) : 1;
	cli_object_close(&co);
	return err;
}

static int lookup_key(struct cli_object *co, struct bpfvm_map *map, int argc, char **argv)
{
	struct entry_printer p;
	uint8_t *key, *value;
	int err = 1;

	if (entry_printer_init(co, map, &p))
		return 1;
	key = calloc(1, p.info.key_size + 1);
	value = calloc(1, bpfvm_map_value_size_user(map) + 1);
	if (argc < 1 || strcmp(argv[0], "key") != 0) {
		cli_error("map lookup: expected 'key' BYTES");
	} else {
		argc--;
		argv++;
		if (cli_parse_bytes(&argc, &argv, key, p.info.key_size, "key") == 0) {
			if (argc)
				cli_error("map lookup: unexpected '%s' after the key", argv[0]);
			else if (bpfvm_map_lookup(map, key, value))
				cli_fail("lookup");
			else
				err = 0;
		}
	}
	if (!err) {
		print_entry(&p, key, value);
		if (cli_json)
			printf("\n");
	}
	free(key);
	free(value);
	return err;
}

/* bpfvm map lookup OBJ name MAP key [hex] BYTES */
static int cmd_lookup(int argc, char **argv)
{
	struct bpfvm_map *map;
	struct cli_object co;
	int err;

	if (argc < 3 || strcmp(argv[1], "name") != 0)
		return cli_error("map lookup: expected OBJ name MAP key BYTES") + 1;
	if (cli_object_load(argv[0], &co))
		return 1;
	map = cli_find_map(&co, argv[2]);
	err = map ? lookup_key(&co, map, argc - 3, argv + 3) : 1;
	cli_object_close(&co);
	return err;
}

int cli_map(int argc, char **argv)
{
	if (argc >= 1 && (strcmp(argv[0], "show") == 0 || strcmp(argv[0], "list") == 0))
		return cmd_show(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "dump") == 0)
		return cmd_dump(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "lookup") == 0)
		return cmd_lookup(argc - 1, argv + 1);
	return cli_error("map: expected show, dump or lookup (see 'bpfvm help')") + 1;
}
