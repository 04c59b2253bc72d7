/* Map commands on the namespace: the list of its maps, `map create` and
 * `map pin`, in bpftool's words (a pin is kept by the namespace after the
 * command ends, as bpffs keeps it). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "bpfvm/bpfvm.h"
#include "cli.h"
#include "map_ns.h"
#include "ref.h"

static const char *type_name(uint32_t type)
{
	const char *name = libbpf_bpf_map_type_str((enum bpf_map_type)type);

	return name ? name : "unknown";
}

/* ---- show ------------------------------------------------------------ */

static int print_pin_plain(void *ctx, const char *path)
{
	(void)ctx;
	printf("\tpinned %s\n", path);
	return 0;
}

static int print_pin_json(void *ctx, const char *path)
{
	(void)ctx;
	json_string(path);
	return 0;
}

void cli_ns_print_pins(struct bpfvm *vm, uint32_t id, bool json)
{
	if (!json) {
		bpfvm_ns_pins(vm, id, print_pin_plain, NULL);
		return;
	}
	json_name("pinned");
	json_start_array();
	bpfvm_ns_pins(vm, id, print_pin_json, NULL);
	json_end_array();
}

/* The process's name, as bpftool's "pids" shows it. */
static void process_name(int pid, char *comm, size_t size)
{
	char path[64];
	FILE *in;

	snprintf(comm, size, "?");
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	in = fopen(path, "r");
	if (!in)
		return;
	if (fgets(comm, (int)size, in))
		comm[strcspn(comm, "\n")] = '\0';
	fclose(in);
}

static void show_json(struct bpfvm *vm, const struct bpfvm_map_info *info, int pid)
{
	char comm[32];

	json_start_object();
	json_uint_field("id", info->id);
	json_string_field("type", type_name(info->type));
	json_string_field("name", info->name);
	json_uint_field("flags", info->map_flags);
	json_uint_field("bytes_key", info->key_size);
	json_uint_field("bytes_value", info->value_size);
	json_uint_field("max_entries", info->max_entries);
	if (cli_show_pinned && !pid)
		cli_ns_print_pins(vm, info->id, true);
	if (pid) {
		process_name(pid, comm, sizeof(comm));
		json_name("pids");
		json_start_array();
		json_start_object();
		json_uint_field("pid", (uint64_t)pid);
		json_string_field("comm", comm);
		json_end_object();
		json_end_array();
	}
	json_end_object();
}

static void show_plain(struct bpfvm *vm, const struct bpfvm_map_info *info, int pid)
{
	char comm[32];

	printf("%u: %s  name %s  flags 0x%x\n", info->id, type_name(info->type), info->name,
	       info->map_flags);
	printf("\tkey %uB  value %uB  max_entries %u\n", info->key_size, info->value_size,
	       info->max_entries);
	if (cli_show_pinned && !pid)
		cli_ns_print_pins(vm, info->id, false);
	if (pid) {
		process_name(pid, comm, sizeof(comm));
		printf("\tpids %s(%d)\n", comm, pid);
	}
}

void cli_map_show_info(struct bpfvm *vm, const struct bpfvm_map_info *info, int pid)
{
	if (cli_json)
		show_json(vm, info, pid);
	else
		show_plain(vm, info, pid);
}

/* The namespace's entries of one kind, copied: the pins of each (and a
 * program's instance) are looked at after the listing, not inside it. */
struct ns_entries {
	struct bpfvm_ns_entry *items;
	size_t cnt, cap;
	enum bpfvm_ns_kind kind;
};

static int collect_entry(void *ctx, const struct bpfvm_ns_entry *entry)
{
	struct ns_entries *list = ctx;

	if (entry->kind != list->kind)
		return 0;
	if (list->cnt == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 16;
		struct bpfvm_ns_entry *items = realloc(list->items, cap * sizeof(*items));

		if (!items)
			return -ENOMEM;
		list->items = items;
		list->cap = cap;
	}
	list->items[list->cnt++] = *entry;
	return 0;
}

static int by_id(const void *a, const void *b)
{
	const struct bpfvm_ns_entry *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

int cli_ns_entries(struct bpfvm *vm, enum bpfvm_ns_kind kind, struct bpfvm_ns_entry **items,
		   size_t *cnt)
{
	struct ns_entries list = { .kind = kind };
	int err = bpfvm_ns_list(vm, collect_entry, &list);

	if (err) {
		free(list.items);
		return err;
	}
	/* the registry's order is its slots'; bpftool lists by id */
	if (list.cnt)
		qsort(list.items, list.cnt, sizeof(*list.items), by_id);
	*items = list.items;
	*cnt = list.cnt;
	return 0;
}

static void entry_info(const struct bpfvm_ns_entry *entry, struct bpfvm_map_info *info)
{
	memset(info, 0, sizeof(*info));
	info->id = entry->id;
	info->type = entry->type;
	info->key_size = entry->key_size;
	info->value_size = entry->value_size;
	info->max_entries = entry->max_entries;
	info->map_flags = entry->map_flags;
	memcpy(info->name, entry->name, sizeof(info->name));
	info->name[sizeof(info->name) - 1] = '\0';
}

int cli_map_list_ns(struct cli_object *co)
{
	struct bpfvm_ns_entry *items = NULL;
	size_t cnt = 0;
	int err = cli_ns_entries(co->vm, BPFVM_NS_MAP, &items, &cnt);

	if (err)
		return cli_error("can't list the namespace's maps: %s", strerror(-err));
	if (cli_json) {
		json_begin(cli_pretty);
		json_start_array();
	}
	for (size_t i = 0; i < cnt; i++) {
		struct bpfvm_map_info info;

		entry_info(&items[i], &info);
		cli_map_show_info(co->vm, &info, items[i].pid);
	}
	if (cli_json) {
		json_end_array();
		json_end();
	}
	free(items);
	return 0;
}

/* ---- pin ------------------------------------------------------------- */

int cli_map_pin(struct bpfvm_map *map, int argc, char **argv)
{
	int err;

	if (argc < 1) { /* bpftool's REQ_ARGS: -EINVAL, exit code 234 */
		cli_error("'pin' needs at least 3 arguments, 2 found");
		return -EINVAL;
	}
	if (argc > 1)
		return cli_error("too many arguments");
	err = cli_ns_map_pin(map, argv[0]);
	if (err)
		return err;
	if (cli_json)
		json_null_document(cli_pretty);
	return 0;
}

/* ---- create ------------------------------------------------------------ */

struct create_args {
	const char *file, *name;
	int type; /* enum bpf_map_type; 0: not given */
	uint32_t key_size, value_size, max_entries, flags;
};

/* bpftool's map_type_from_str: libbpf's names. */
static int map_type_from_str(const char *word)
{
	for (int type = 1;; type++) {
		const char *name = libbpf_bpf_map_type_str((enum bpf_map_type)type);

		if (!name)
			return -1;
		if (strcmp(name, word) == 0)
			return type;
	}
}

static int parse_u32_word(const char *word, const char *what, uint32_t *out)
{
	char *end;
	unsigned long value = strtoul(word, &end, 0);

	if (!*word || *end || value > UINT32_MAX)
		return cli_error("can't parse %s as %s", word, what);
	*out = (uint32_t)value;
	return 0;
}

/* One `KEYWORD VALUE` of bpftool's do_create. */
static int parse_create_word(const char *key, const char *value, struct create_args *args)
{
	if (cli_is_prefix(key, "type")) {
		if (args->type)
			return cli_error("map type already specified");
		args->type = map_type_from_str(value);
		return args->type < 0 ? cli_error("unrecognized map type: %s", value) : 0;
	}
	if (cli_is_prefix(key, "name")) {
		args->name = value;
		return 0;
	}
	if (cli_is_prefix(key, "key"))
		return parse_u32_word(value, "key size", &args->key_size);
	if (cli_is_prefix(key, "value"))
		return parse_u32_word(value, "value size", &args->value_size);
	if (cli_is_prefix(key, "entries"))
		return parse_u32_word(value, "max entries", &args->max_entries);
	if (cli_is_prefix(key, "flags"))
		return parse_u32_word(value, "flags", &args->flags);
	return cli_error("unknown arg %s", key);
}

static int parse_create(int argc, char **argv, struct create_args *args)
{
	memset(args, 0, sizeof(*args));
	if (argc < 7)
		return cli_error("'create' needs at least 7 arguments, %d found", argc);
	args->file = argv[0];
	for (int i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			return cli_error("'%s' needs at least 2 arguments, 1 found", argv[i]);
		if (!*argv[i] || parse_create_word(argv[i], argv[i + 1], args))
			return -1;
	}
	if (!args->name)
		return cli_error("map name not specified");
	return 0;
}

/* Creates the map and pins it; the map lives on in its pin. */
int cli_map_create(int argc, char **argv)
{
	struct bpfvm_map_create_opts opts = { .sz = sizeof(opts) };
	struct create_args args;
	struct bpfvm_map *map;
	struct bpfvm *vm;
	int err;

	if (parse_create(argc, argv, &args))
		return -1;
	if (cli_vm_create(&vm))
		return cli_fail("namespace");
	opts.map_flags = args.flags;
	err = bpfvm_map_create(vm, (enum bpf_map_type)args.type, args.name, args.key_size,
			       args.value_size, args.max_entries, &opts, &map);
	if (err) {
		cli_error("map create failed: %s (%s)", strerror(-err), bpfvm_errmsg());
		err = -1; /* bpftool's: 255, where a failed pin is its -errno */
	} else {
		err = cli_ns_map_pin(map, args.file);
		bpfvm_map_close(map);
	}
	bpfvm_destroy(vm);
	if (!err && cli_json)
		json_null_document(cli_pretty);
	return err;
}
