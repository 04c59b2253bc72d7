/* `bpfvm map show|dump|lookup|update|delete`: bpftool's `map` commands, on
 * the maps of an object file that bpfvm loads itself (or, from `bpfvm run`'s
 * command lines, the object it runs), in bpftool's plain (hex) formats. */
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

/* map show [name MAP] */
static int map_show(struct cli_object *co, int argc, char **argv)
{
	struct bpfvm_map *only = NULL;

	if (argc != 0 && !(argc == 2 && strcmp(argv[0], "name") == 0))
		return cli_error("map show: expected OBJ [name MAP]");
	if (argc == 2 && !(only = cli_find_map(co, argv[1])))
		return 1;
	if (cli_json)
		putchar('[');
	for (size_t i = 0, shown = 0; i < bpfvm_object_map_cnt(co->obj); i++) {
		struct bpfvm_map *map = bpfvm_object_map(co->obj, i);

		if (only && map != only)
			continue;
		if (cli_json && shown++)
			putchar(',');
		show_map(map);
	}
	if (cli_json)
		printf("]\n");
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

static int map_lookup(struct cli_object *co, struct bpfvm_map *map, int argc, char **argv)
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

/* ---- update and delete ----------------------------------------------- */

static bool map_holds_programs(uint32_t type)
{
	return type == BPF_MAP_TYPE_PROG_ARRAY;
}

static bool map_holds_maps(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

/* A prog array's or map of maps' value, as bpftool's PROG / MAP: `id N` or
 * `name NAME` (a program or map of the object); the value is its id. */
static int parse_reference_value(struct cli_object *co, const struct bpfvm_map_info *info,
				 int *argc, char ***argv, uint32_t *id)
{
	char *end;

	if (*argc < 2)
		return cli_error("map update: expected value id N or value name NAME");
	if (strcmp((*argv)[0], "id") == 0) {
		unsigned long value = strtoul((*argv)[1], &end, 0);

		if (*end || value > UINT32_MAX)
			return cli_error("map update: '%s' is not an id", (*argv)[1]);
		*id = (uint32_t)value;
	} else if (strcmp((*argv)[0], "name") == 0 && map_holds_programs(info->type)) {
		struct bpfvm_prog *prog = cli_find_prog(co, (*argv)[1]);

		if (!prog)
			return 1;
		*id = bpfvm_prog_id(prog);
	} else if (strcmp((*argv)[0], "name") == 0) {
		struct bpfvm_map *inner = cli_find_map(co, (*argv)[1]);
		struct bpfvm_map_info inner_info;

		if (!inner || bpfvm_map_get_info(inner, &inner_info))
			return 1;
		*id = inner_info.id;
	} else {
		return cli_error("map update: expected value id N or value name NAME, not '%s'",
				 (*argv)[0]);
	}
	*argc -= 2;
	*argv += 2;
	return 0;
}

static int parse_value(struct cli_object *co, struct bpfvm_map *map,
		       const struct bpfvm_map_info *info, int *argc, char ***argv, void *value)
{
	if (map_holds_programs(info->type) || map_holds_maps(info->type))
		return parse_reference_value(co, info, argc, argv, value);
	return cli_parse_bytes(argc, argv, value, bpfvm_map_value_size_user(map), "value");
}

/* bpftool's update flags: any (default), noexist, exist. */
static int parse_update_flags(int argc, char **argv, uint64_t *flags)
{
	*flags = BPF_ANY;
	if (argc == 0)
		return 0;
	if (argc == 1 && strcmp(argv[0], "any") == 0)
		return 0;
	if (argc == 1 && strcmp(argv[0], "noexist") == 0)
		*flags = BPF_NOEXIST;
	else if (argc == 1 && strcmp(argv[0], "exist") == 0)
		*flags = BPF_EXIST;
	else
		return cli_error("map update: unexpected '%s' (flags: any, noexist, exist)",
				 argv[0]);
	return 0;
}

/* Parses `key BYTES`; a queue or stack has no key (bpftool omits it). */
static int parse_key(const struct bpfvm_map_info *info, int *argc, char ***argv, void *key,
		     const char *command)
{
	if (!info->key_size)
		return 0;
	if (*argc < 1 || strcmp((*argv)[0], "key") != 0)
		return cli_error("map %s: expected 'key' BYTES", command);
	(*argc)--;
	(*argv)++;
	return cli_parse_bytes(argc, argv, key, info->key_size, "key") ? 1 : 0;
}

static int map_update(struct cli_object *co, struct bpfvm_map *map, int argc, char **argv)
{
	struct bpfvm_map_info info;
	uint8_t *key, *value;
	uint64_t flags;
	int err = 1;

	if (bpfvm_map_get_info(map, &info))
		return cli_fail(bpfvm_map_name(map));
	key = calloc(1, info.key_size + 1);
	value = calloc(1, bpfvm_map_value_size_user(map) + 8);
	if (!key || !value) {
		cli_error("out of memory");
	} else if (parse_key(&info, &argc, &argv, key, "update") == 0) {
		if (argc < 1 || strcmp(argv[0], "value") != 0) {
			cli_error("map update: expected 'value' after the key");
		} else {
			argc--;
			argv++;
			if (parse_value(co, map, &info, &argc, &argv, value) == 0 &&
			    parse_update_flags(argc, argv, &flags) == 0)
				err = bpfvm_map_update(map, info.key_size ? key : NULL, value,
						       flags)
					      ? cli_fail("update")
					      : 0;
		}
	}
	free(key);
	free(value);
	return err;
}

static int map_delete(struct bpfvm_map *map, int argc, char **argv)
{
	struct bpfvm_map_info info;
	uint8_t *key;
	int err = 1;

	if (bpfvm_map_get_info(map, &info))
		return cli_fail(bpfvm_map_name(map));
	key = calloc(1, info.key_size + 1);
	if (key && parse_key(&info, &argc, &argv, key, "delete") == 0) {
		if (argc)
			cli_error("map delete: unexpected '%s' after the key", argv[0]);
		else
			err = bpfvm_map_delete(map, key) ? cli_fail("delete") : 0;
	}
	free(key);
	return err;
}

/* ---- the verbs -------------------------------------------------------- */

int cli_map_on_object(struct cli_object *co, int argc, char **argv)
{
	const char *verb = argc ? argv[0] : "";
	struct bpfvm_map *map;

	if (strcmp(verb, "show") == 0 || strcmp(verb, "list") == 0)
		return map_show(co, argc - 1, argv + 1);
	if (strcmp(verb, "dump") != 0 && strcmp(verb, "lookup") != 0 &&
	    strcmp(verb, "update") != 0 && strcmp(verb, "delete") != 0)
		return cli_error("map: expected show, dump, lookup, update or delete, not '%s'",
				 verb);
	if (argc < 3 || strcmp(argv[1], "name") != 0)
		return cli_error("map %s: expected name MAP", verb);
	map = cli_find_map(co, argv[2]);
	if (!map)
		return 1;
	if (strcmp(verb, "dump") == 0)
		return argc == 3 ? dump_map(co, map)
				 : cli_error("map dump: unexpected '%s'", argv[3]);
	if (strcmp(verb, "lookup") == 0)
		return map_lookup(co, map, argc - 3, argv + 3);
	if (strcmp(verb, "update") == 0)
		return map_update(co, map, argc - 3, argv + 3);
	return map_delete(map, argc - 3, argv + 3);
}

/* bpfvm map VERB OBJ ARGS...: the object is loaded for this one command. */
int cli_map(int argc, char **argv)
{
	struct cli_object co;
	int err;

	if (argc < 2)
		return cli_error("map: expected {show|dump|lookup|update|delete} OBJ ... "
				 "(see 'bpfvm help')") + 1;
	if (cli_object_load(argv[1], &co))
		return 1;
	argv[1] = argv[0];
	err = cli_map_on_object(&co, argc - 1, argv + 1);
	cli_object_close(&co);
	return err ? 1 : 0;
}
