/* `bpfvm map ...`: bpftool's map commands (show, dump, lookup, update,
 * delete, getnext, peek, push, pop, enqueue, dequeue, freeze) on the maps of
 * an object file that bpfvm loads for the command (or, from `bpfvm run`'s
 * command lines, of the object it runs), in bpftool's formats: hex bytes,
 * BTF-formatted values where the object has the types, -j / -p JSON. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "bpfvm/bpfvm.h"
#include "btf_dumper.h"
#include "cli.h"
#include "map_ns.h"
#include "ref.h"

int cli_map_help(void)
{
	if (cli_json) {
		json_null_document(cli_pretty);
		return 0;
	}
	fprintf(stderr,
		"Usage: bpfvm map { show | list }   [MAP]\n"
		"       bpfvm map dump       MAP\n"
		"       bpfvm map update     MAP [key DATA] [value VALUE] [UPDATE_FLAGS]\n"
		"       bpfvm map lookup     MAP [key DATA]\n"
		"       bpfvm map getnext    MAP [key DATA]\n"
		"       bpfvm map delete     MAP  key DATA\n"
		"       bpfvm map peek       MAP\n"
		"       bpfvm map push       MAP value VALUE\n"
		"       bpfvm map pop        MAP\n"
		"       bpfvm map enqueue    MAP value VALUE\n"
		"       bpfvm map dequeue    MAP\n"
		"       bpfvm map freeze     MAP\n"
		"       bpfvm map create     FILE type TYPE key KEY_SIZE value VALUE_SIZE \\\n"
		"                            entries MAX_ENTRIES name NAME [flags FLAGS]\n"
		"       bpfvm map pin        MAP  FILE\n"
		"       bpfvm map event_pipe MAP [cpu N index M]\n"
		"       bpfvm map help\n"
		"\n"
		"       MAP := { id MAP_ID | pinned FILE | name MAP_NAME } [of OBJ]\n"
		"       DATA := { [hex] BYTES }\n"
		"       PROG := { id PROG_ID | pinned FILE | name PROG_NAME } [of OBJ]\n"
		"       VALUE := { DATA | MAP | PROG }\n"
		"       UPDATE_FLAGS := { any | exist | noexist }\n"
		"       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} |\n"
		"                    {-f|--bpffs} | --root DIR }\n"
		"\n"
		"'id' and 'pinned' name maps of bpfvm's namespace (--root, BPFVM_ROOT),\n"
		"which every bpfvm process shares; 'name' needs 'of OBJ', an object file\n"
		"that bpfvm loads for the command ('OBJ name MAP_NAME' is the same).\n"
		"Global data maps are also named by section (name .bss). 'map show'\n"
		"without MAP lists the namespace's maps.\n");
	return 0;
}

static bool map_is_per_cpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

static bool map_holds_programs(uint32_t type)
{
	return type == BPF_MAP_TYPE_PROG_ARRAY;
}

static bool map_holds_maps(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

/* What a map command works on: the map, its runtime, its BTF types. */
struct map_target {
	struct cli_object *co;
	struct bpfvm_map *map;
	struct bpfvm_map_info info;
	struct cli_map_btf btf;
	bool has_btf;
	uint32_t nr_cpus;
	size_t value_size_user; /* all CPUs' values of a per-CPU map */
};

static int map_target_init(struct cli_object *co, struct bpfvm_map *map, struct map_target *t)
{
	memset(t, 0, sizeof(*t));
	t->co = co;
	t->map = map;
	if (bpfvm_map_get_info(map, &t->info))
		return cli_fail(bpfvm_map_name(map));
	t->has_btf = cli_map_btf_find(co, map, &t->btf) == 0;
	t->nr_cpus = bpfvm_nr_cpus(co->vm);
	t->value_size_user = bpfvm_map_value_size_user(map);
	return 0;
}

/* ---- show ------------------------------------------------------------ */

static int show_map(struct cli_object *co, struct bpfvm_map *map)
{
	struct bpfvm_map_info info;

	if (bpfvm_map_get_info(map, &info))
		return cli_fail(bpfvm_map_name(map));
	cli_map_show_info(co->vm, &info, 0);
	return 0;
}

/* map show [MAP]: one map (a JSON object), or all the object's (an array). */
static int map_show(struct cli_object *co, struct bpfvm_map *only)
{
	int err = 0;

	if (cli_json)
		json_begin(cli_pretty);
	if (only) {
		err = show_map(co, only);
	} else if (!co->obj) {
		return cli_map_list_ns(co);
	} else {
		if (cli_json)
			json_start_array();
		for (size_t i = 0; i < bpfvm_object_map_cnt(co->obj) && !err; i++)
			err = show_map(co, bpfvm_object_map(co->obj, i));
		if (cli_json)
			json_end_array();
	}
	if (cli_json)
		json_end();
	return err;
}

/* ---- printing entries ------------------------------------------------- */

/* The value of `cpu` in a per-CPU lookup's buffer (8-byte aligned slots). */
static const uint8_t *cpu_value(const struct map_target *t, const uint8_t *value, uint32_t cpu)
{
	return value + (size_t)cpu * ((t->info.value_size + 7) & ~7u);
}

/* bpftool's fprint_hex: a line break every 16 bytes, a wider gap at 8. */
static void print_hex(const void *data, uint32_t len)
{
	const uint8_t *bytes = data;

	for (uint32_t i = 0; i < len; i++) {
		const char *separator = i == 0 ? "" : i % 16 == 0 ? "\n" : i % 8 == 0 ? "  " : " ";

		printf("%s%02x", separator, bytes[i]);
	}
}

/* bpftool's print_entry_plain: key and value on one line when short,
 * broken over lines when long; per-CPU values one line per CPU. */
static void print_entry_plain(const struct map_target *t, const uint8_t *key,
			      const uint8_t *value)
{
	uint32_t key_size = t->info.key_size, value_size = t->info.value_size;

	if (!map_is_per_cpu(t->info.type)) {
		bool break_names = key_size > 16 || value_size > 16;
		bool single_line = key_size + value_size <= 24 && !break_names;

		if (key_size) {
			printf("key:%c", break_names ? '\n' : ' ');
			print_hex(key, key_size);
			printf(single_line ? "  " : "\n");
		}
		printf("value:%c", break_names ? '\n' : ' ');
		print_hex(value, value_size);
		printf("\n");
		return;
	}
	printf("key:\n");
	print_hex(key, key_size);
	printf("\n");
	for (uint32_t cpu = 0; cpu < t->nr_cpus; cpu++) {
		printf("value (CPU %02u):%c", cpu, value_size > 16 ? '\n' : ' ');
		print_hex(cpu_value(t, value, cpu), value_size);
		printf("\n");
	}
}

/* The BTF-formatted entry: {"key": K, "value": V} or, per CPU,
 * {"key": K, "values": [{"cpu": N, "value": V}, ...]}. */
static void print_entry_formatted(const struct map_target *t, const uint8_t *key,
				  const uint8_t *value)
{
	const struct cli_map_btf *btf = &t->btf;

	json_start_object();
	if (btf->key_type) {
		json_name("key");
		cli_btf_dump(btf->btf, btf->key_type, key);
	}
	if (!btf->value_type) {
		json_end_object();
		return;
	}
	if (!map_is_per_cpu(t->info.type)) {
		json_name("value");
		cli_btf_dump(btf->btf, btf->value_type, value);
		json_end_object();
		return;
	}
	json_name("values");
	json_start_array();
	for (uint32_t cpu = 0; cpu < t->nr_cpus; cpu++) {
		json_start_object();
		json_uint_field("cpu", cpu);
		json_name("value");
		cli_btf_dump(btf->btf, btf->value_type, cpu_value(t, value, cpu));
		json_end_object();
	}
	json_end_array();
	json_end_object();
}

/* bpftool's print_entry_json: bytes, then "formatted" when there is BTF. */
static void print_entry_json(const struct map_target *t, const uint8_t *key, const uint8_t *value)
{
	json_start_object();
	json_name("key");
	json_hex_bytes(key, t->info.key_size);
	if (!map_is_per_cpu(t->info.type)) {
		json_name("value");
		json_hex_bytes(value, t->info.value_size);
	} else {
		json_name("values");
		json_start_array();
		for (uint32_t cpu = 0; cpu < t->nr_cpus; cpu++) {
			json_start_object();
			json_uint_field("cpu", cpu);
			json_name("value");
			json_hex_bytes(cpu_value(t, value, cpu), t->info.value_size);
			json_end_object();
		}
		json_end_array();
	}
	if (t->has_btf) {
		json_name("formatted");
		print_entry_formatted(t, key, value);
	}
	json_end_object();
}

/* An entry inside a document already begun (JSON, or the pretty writer of
 * BTF-formatted plain output), or as plain hex lines. */
static void print_entry(const struct map_target *t, const uint8_t *key, const uint8_t *value)
{
	if (cli_json)
		print_entry_json(t, key, value);
	else if (t->has_btf)
		print_entry_formatted(t, key, value);
	else
		print_entry_plain(t, key, value);
}

/* A document of one entry (lookup, peek, pop). */
static void print_one_entry(const struct map_target *t, const uint8_t *key, const uint8_t *value)
{
	bool document = cli_json || t->has_btf;

	if (document)
		json_begin(cli_json ? cli_pretty : true);
	print_entry(t, key, value);
	if (document)
		json_end();
}

/* Buffers for one key and one value (all CPUs'), with a spare byte. */
struct entry_buffers {
	uint8_t *key, *next, *value;
};

static int buffers_alloc(const struct map_target *t, struct entry_buffers *b)
{
	b->key = calloc(1, t->info.key_size + 1);
	b->next = calloc(1, t->info.key_size + 1);
	b->value = calloc(1, t->value_size_user + 8);
	if (b->key && b->next && b->value)
		return 0;
	return cli_error("out of memory");
}

static void buffers_free(struct entry_buffers *b)
{
	free(b->key);
	free(b->next);
	free(b->value);
}

/* ---- dump --------------------------------------------------------------- */

static int map_dump(struct map_target *t)
{
	struct entry_buffers b;
	bool document = cli_json || t->has_btf;
	unsigned count = 0;
	int err;

	if (buffers_alloc(t, &b)) {
		buffers_free(&b);
		return -1;
	}
	if (document) {
		json_begin(cli_json ? cli_pretty : true);
		json_start_array();
	}
	for (err = bpfvm_map_get_next_key(t->map, NULL, b.next); err == 0;
	     err = bpfvm_map_get_next_key(t->map, b.key, b.next)) {
		memcpy(b.key, b.next, t->info.key_size);
		if (bpfvm_map_lookup(t->map, b.key, b.value))
			continue; /* deleted meanwhile: bpftool skips it */
		print_entry(t, b.key, b.value);
		count++;
	}
	if (document) {
		json_end_array();
		json_end();
	} else {
		printf("Found %u element%s\n", count, count != 1 ? "s" : "");
	}
	buffers_free(&b);
	/* As bpftool, whose dump ends on get_next_key's errno (a queue's
	 * -EINVAL makes its exit code 234). */
	return err == -ENOENT ? 0 : err;
}

/* ---- keys and values ---------------------------------------------------- */

/* A prog array's or map of maps' value, bpftool's PROG / MAP: its id. */
static int parse_reference_value(struct map_target *t, int *argc, char ***argv, uint32_t *id)
{
	struct cli_ref ref;

	if (cli_ref_parse(argc, argv, &ref, map_holds_programs(t->info.type) ? "PROG" : "MAP"))
		return -1;
	if (map_holds_programs(t->info.type)) {
		struct bpfvm_prog *prog;

		if (cli_ref_prog(t->co, &ref, &prog))
			return -1;
		*id = bpfvm_prog_id(prog);
	} else {
		struct bpfvm_map *inner;
		struct bpfvm_map_info inner_info;

		if (cli_ref_map(t->co, &ref, &inner) || bpfvm_map_get_info(inner, &inner_info))
			return -1;
		*id = inner_info.id;
	}
	return 0;
}

/* bpftool's "OP failed: strerror", and bpfvm's message that says why. */
static int op_failed(const char *op, int err)
{
	const char *why = bpfvm_errmsg();

	if (*why)
		return cli_error("%s failed: %s (%s)", op, strerror(-err), why);
	return cli_error("%s failed: %s", op, strerror(-err));
}

/* What bpftool's parse_elem found. */
struct elem_args {
	bool has_key, has_value, has_flags;
	uint64_t flags;
};

static int parse_flags_word(const char *word, struct elem_args *args)
{
	if (cli_is_prefix(word, "any"))
		args->flags = BPF_ANY;
	else if (cli_is_prefix(word, "noexist"))
		args->flags = BPF_NOEXIST;
	else if (cli_is_prefix(word, "exist"))
		args->flags = BPF_EXIST;
	else
		return -1;
	args->has_flags = true;
	return 0;
}

static int parse_value(struct map_target *t, int *argc, char ***argv, uint8_t *value)
{
	if (map_holds_programs(t->info.type) || map_holds_maps(t->info.type))
		return parse_reference_value(t, argc, argv, (uint32_t *)value);
	return cli_parse_bytes(argc, argv, value, (uint32_t)t->value_size_user, "value");
}

/* bpftool's parse_elem: `key DATA`, `value VALUE` and (for update) the
 * flags, each at most once, in any order. `value` NULL: no value taken. */
static int parse_elem(struct map_target *t, int argc, char **argv, uint8_t *key, uint8_t *value,
		      bool take_flags, struct elem_args *args)
{
	memset(args, 0, sizeof(*args));
	while (argc > 0) {
		const char *word = argv[0];

		if (!args->has_key && cli_is_prefix(word, "key") && *word) {
			if (!t->info.key_size)
				return cli_error("unnecessary key");
			argc--;
			argv++;
			if (cli_parse_bytes(&argc, &argv, key, t->info.key_size, "key"))
				return -1;
			args->has_key = true;
		} else if (value && !args->has_value && cli_is_prefix(word, "value") && *word) {
			argc--;
			argv++;
			if (parse_value(t, &argc, &argv, value))
				return -1;
			args->has_value = true;
		} else if (take_flags && !args->has_flags && parse_flags_word(word, args) == 0) {
			argc--;
			argv++;
		} else {
			return cli_error("expected key or value, got: %s", word);
		}
	}
	return 0;
}

static int print_null_document(void)
{
	if (cli_json)
		json_null_document(cli_pretty);
	return 0;
}

/* ---- the commands on one entry ----------------------------------------- */

static int map_lookup(struct map_target *t, struct entry_buffers *b, int argc, char **argv)
{
	struct elem_args args;
	int err;

	if (parse_elem(t, argc, argv, b->key, NULL, false, &args))
		return -1;
	if (t->info.key_size && !args.has_key)
		return cli_error("did not find key");
	err = bpfvm_map_lookup(t->map, t->info.key_size ? b->key : NULL, b->value);
	if (err == -ENOENT) {
		if (cli_json) {
			print_null_document();
		} else {
			printf("key:\n");
			print_hex(b->key, t->info.key_size);
			printf("\n\nNot found\n");
		}
		return err;
	}
	if (err)
		return op_failed("lookup", err);
	print_one_entry(t, b->key, b->value);
	return 0;
}

static void print_getnext(const struct map_target *t, const uint8_t *key, const uint8_t *next)
{
	if (cli_json) {
		json_begin(cli_pretty);
		json_start_object();
		json_name("key");
		if (key)
			json_hex_bytes(key, t->info.key_size);
		else
			json_null();
		json_name("next_key");
		json_hex_bytes(next, t->info.key_size);
		json_end_object();
		json_end();
		return;
	}
	if (key) {
		printf("key:\n");
		print_hex(key, t->info.key_size);
		printf("\n");
	} else {
		printf("key: None\n");
	}
	printf("next key:\n");
	print_hex(next, t->info.key_size);
	printf("\n");
}

static int map_getnext(struct map_target *t, struct entry_buffers *b, int argc, char **argv)
{
	struct elem_args args;
	int err;

	if (parse_elem(t, argc, argv, b->key, NULL, false, &args))
		return -1;
	err = bpfvm_map_get_next_key(t->map, args.has_key ? b->key : NULL, b->next);
	if (err) {
		cli_error("can't get next key: %s", strerror(-err));
		return err;
	}
	print_getnext(t, args.has_key ? b->key : NULL, b->next);
	return 0;
}

static int map_update(struct map_target *t, struct entry_buffers *b, int argc, char **argv)
{
	struct elem_args args;
	int err;

	if (parse_elem(t, argc, argv, b->key, b->value, true, &args))
		return -1;
	if (t->info.key_size && !args.has_key)
		return cli_error("did not find key");
	if (!args.has_value)
		return cli_error("did not find value");
	err = bpfvm_map_update(t->map, t->info.key_size ? b->key : NULL, b->value, args.flags);
	if (err)
		return op_failed("update", err);
	return print_null_document();
}

static int map_delete(struct map_target *t, struct entry_buffers *b, int argc, char **argv)
{
	struct elem_args args;
	int err;

	if (parse_elem(t, argc, argv, b->key, NULL, false, &args))
		return -1;
	if (!args.has_key)
		return cli_error("did not find key");
	err = bpfvm_map_delete(t->map, b->key);
	if (err)
		return op_failed("delete", err);
	return print_null_document();
}

/* push and enqueue: an update without a key (queue, stack, bloom filter). */
static int map_push(struct map_target *t, struct entry_buffers *b, int argc, char **argv)
{
	struct elem_args args;
	int err;

	if (parse_elem(t, argc, argv, b->key, b->value, false, &args))
		return -1;
	if (!args.has_value)
		return cli_error("did not find value");
	err = bpfvm_map_update(t->map, NULL, b->value, 0);
	if (err)
		return op_failed("update", err);
	return print_null_document();
}

/* peek, pop and dequeue: the value at the head, taken away or not. */
static int map_take(struct map_target *t, struct entry_buffers *b, bool remove, int argc)
{
	int err;

	if (argc)
		return cli_error("too many arguments");
	err = remove ? bpfvm_map_lookup_and_delete(t->map, NULL, b->value)
		     : bpfvm_map_lookup(t->map, NULL, b->value);
	if (err == -ENOENT) {
		cli_error("empty map");
		return err;
	}
	if (err)
		return op_failed(remove ? "pop" : "peek", err);
	print_one_entry(t, b->key, b->value);
	return 0;
}

static int map_freeze(struct map_target *t, int argc)
{
	int err;

	if (argc)
		return cli_error("too many arguments");
	err = bpfvm_map_freeze(t->map);
	if (err)
		return cli_error("failed to freeze map: %s", strerror(-err));
	return print_null_document();
}

/* ---- the verbs -------------------------------------------------------- */

enum map_verb { VERB_DUMP, VERB_LOOKUP, VERB_GETNEXT, VERB_UPDATE, VERB_DELETE, VERB_PEEK,
		VERB_PUSH, VERB_POP, VERB_FREEZE, VERB_SHOW };

static const struct {
	const char *name;
	enum map_verb verb;
} verbs[] = {
	/* As bpftool's table, where a prefix chooses the first that matches. */
	{ "show", VERB_SHOW },	   { "list", VERB_SHOW },     { "help", VERB_SHOW },
	{ "dump", VERB_DUMP },	   { "update", VERB_UPDATE }, { "lookup", VERB_LOOKUP },
	{ "getnext", VERB_GETNEXT }, { "delete", VERB_DELETE }, { "pin", VERB_SHOW },
	{ "event_pipe", VERB_SHOW }, { "create", VERB_SHOW }, { "peek", VERB_PEEK },
	{ "push", VERB_PUSH },	   { "enqueue", VERB_PUSH },  { "pop", VERB_POP },
	{ "dequeue", VERB_POP },   { "freeze", VERB_FREEZE },
};

/* The verb's table name, or NULL. */
static const char *find_verb(const char *word, enum map_verb *verb)
{
	for (size_t i = 0; *word && i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (cli_is_prefix(word, verbs[i].name)) {
			*verb = verbs[i].verb;
			return verbs[i].name;
		}
	}
	return NULL;
}

static int run_verb(struct map_target *t, enum map_verb verb, int argc, char **argv)
{
	struct entry_buffers b;
	int err;

	if (verb == VERB_DUMP)
		return argc ? cli_error("too many arguments") : map_dump(t);
	if (verb == VERB_FREEZE)
		return map_freeze(t, argc);
	if (buffers_alloc(t, &b)) {
		buffers_free(&b);
		return -1;
	}
	switch (verb) {
	case VERB_LOOKUP:
		err = map_lookup(t, &b, argc, argv);
		break;
	case VERB_GETNEXT:
		err = map_getnext(t, &b, argc, argv);
		break;
	case VERB_UPDATE:
		err = map_update(t, &b, argc, argv);
		break;
	case VERB_DELETE:
		err = map_delete(t, &b, argc, argv);
		break;
	case VERB_PUSH:
		err = map_push(t, &b, argc, argv);
		break;
	case VERB_PEEK:
	case VERB_POP:
		err = map_take(t, &b, verb == VERB_POP, argc);
		break;
	default:
		err = cli_error("unknown map command");
	}
	buffers_free(&b);
	return err;
}

/* VERB on `map` (NULL: show every map of the object). */
static int map_command(struct cli_object *co, const char *name, enum map_verb verb,
		       struct bpfvm_map *map, int argc, char **argv)
{
	struct map_target t;

	if (strcmp(name, "pin") == 0)
		return cli_map_pin(map, argc, argv);
	if (strcmp(name, "create") == 0)
		return cli_error("'map create' takes no MAP: map create FILE type TYPE ...");
	if (strcmp(name, "event_pipe") == 0)
		return cli_map_event_pipe(map, argc, argv);
	if (verb == VERB_SHOW)
		return argc ? cli_error("too many arguments") : map_show(co, map);
	if (map_target_init(co, map, &t))
		return -1;
	return run_verb(&t, verb, argc, argv);
}

/* The verb's name, or NULL after printing the help (unknown: an error). */
static const char *parse_verb(int argc, char **argv, enum map_verb *verb, int *err)
{
	const char *name = argc ? find_verb(argv[0], verb) : NULL;

	*err = 0;
	if (name && strcmp(name, "help") != 0)
		return name;
	if (!name) {
		if (argc)
			cli_error("unknown map command '%s'", argv[0]);
		*err = -1;
	}
	if (!cli_json || !*err)
		cli_map_help();
	return NULL;
}

static bool ref_optional(const char *name)
{
	return strcmp(name, "show") == 0 || strcmp(name, "list") == 0;
}

int cli_map_on_object(struct cli_object *co, int argc, char **argv)
{
	struct bpfvm_map *map = NULL;
	enum map_verb verb = VERB_SHOW;
	struct cli_ref ref;
	const char *name;
	int err;

	name = parse_verb(argc, argv, &verb, &err);
	if (!name)
		return err;
	argc--;
	argv++;
	if (!(ref_optional(name) && argc == 0) &&
	    (cli_ref_parse(&argc, &argv, &ref, "MAP") || cli_ref_map(co, &ref, &map)))
		return -1;
	return map_command(co, name, verb, map, argc, argv);
}

/* bpfvm map VERB {MAP [of OBJ] | OBJ [MAP]} ARGS...: the object is loaded
 * for this one command, in a runtime on the namespace; MAP is resolved
 * there (id, pinned) or in the object (name). */
int cli_map(int argc, char **argv)
{
	struct bpfvm_map *map = NULL;
	enum map_verb verb = VERB_SHOW;
	struct cli_target target;
	struct cli_object co;
	const char *name;
	int err;

	name = parse_verb(argc, argv, &verb, &err);
	if (!name)
		return err;
	argc--;
	argv++;
	if (strcmp(name, "create") == 0)
		return cli_map_create(argc, argv);
	if (argc == 0 && ref_optional(name))
		memset(&target, 0, sizeof(target));
	else if (cli_target_parse(&argc, &argv, &target, "MAP", ref_optional(name)))
		return -1;
	/* Without OBJ, MAP is one of the namespace's (id, pinned). */
	if (target.obj ? cli_object_load(target.obj, &co) : cli_ns_open(&co))
		return -1;
	err = target.has_ref ? cli_ref_map(&co, &target.ref, &map) : 0;
	if (!err)
		err = map_command(&co, name, verb, map, argc, argv);
	cli_object_close(&co);
	return err;
}
