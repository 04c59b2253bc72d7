/* `bpfvm prog load` and `prog loadall`, as bpftool's load_with_options:
 *
 *     prog { load | loadall } OBJ [PATH] [type TYPE]
 *          [map { idx IDX | name NAME } MAP] ... [pinmaps MAP_DIR]
 *          [name PROG_NAME] [log_level N]          (bpfvm's, load only)
 *
 * The object is verified in a runtime on the namespace, with the maps given
 * reused (reuse.c) and those declared LIBBPF_PIN_BY_NAME reused from, or
 * pinned at, the namespace's root (the library's pin_root_path). pinmaps
 * pins every map of the object at MAP_DIR/NAME, as libbpf's
 * bpf_object__pin_maps, so that other processes find them. PATH pins the
 * first program (loadall: every program at PATH/NAME), which then outlives
 * the command as on bpffs, for `pinned PATH` from any process. bpfvm takes
 * PATH as optional: without it and pinmaps, the command only verifies. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>

#include "bpfvm/bpfvm.h"
#include "cli.h"
#include "ref.h"
#include "reuse.h"

struct load_args {
	const char *obj, *path, *pinmaps, *type;
	struct cli_load_opts opts;
	struct cli_reuse reuse;
	bool all; /* loadall */
};

static bool is_load_keyword(const char *word)
{
	static const char *const keywords[] = { "type", "map", "pinmaps", "name", "log_level",
						"dev" };

	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strcmp(word, keywords[i]) == 0)
			return true;
	return false;
}

static int parse_u32(const char *word, const char *what, uint32_t *out)
{
	char *end;
	unsigned long value = strtoul(word, &end, 0);

	if (!*word || *end || value > UINT32_MAX)
		return cli_error("can't parse %s as %s", word, what);
	*out = (uint32_t)value;
	return 0;
}

/* One keyword and its value; `map` takes its own words (reuse.c). */
static int parse_load_word(int *argc, char ***argv, struct load_args *args)
{
	const char *key = (*argv)[0], *value = *argc > 1 ? (*argv)[1] : NULL;

	if (strcmp(key, "map") == 0)
		return cli_reuse_parse(argc, argv, &args->reuse);
	if (!is_load_keyword(key) || (args->all && strcmp(key, "name") == 0))
		return cli_error("expected no more arguments, 'type', 'map' or 'dev', got: '%s'?",
				 key);
	if (!value)
		return cli_error("'%s' needs at least 1 arguments, 0 found", key);
	if (strcmp(key, "type") == 0) {
		args->type = value;
	} else if (strcmp(key, "pinmaps") == 0) {
		args->pinmaps = value;
	} else if (strcmp(key, "name") == 0) {
		args->opts.prog = value;
		args->opts.only = true;
	} else if (strcmp(key, "log_level") == 0) {
		if (parse_u32(value, "log level", &args->opts.log_level))
			return -1;
	} else {
		return cli_error("dev %s: bpfvm offloads to no device", value);
	}
	*argc -= 2;
	*argv += 2;
	return 0;
}

static int parse_load_args(int argc, char **argv, struct load_args *args)
{
	const char *command = args->all ? "loadall" : "load";

	if (argc < 1 || (args->all && argc < 2))
		return cli_error("'%s' needs at least 2 arguments, %d found", command, argc);
	args->obj = argv[0];
	argc--;
	argv++;
	if (argc && !is_load_keyword(argv[0])) {
		args->path = argv[0];
		argc--;
		argv++;
	}
	if (args->all && !args->path)
		return cli_error("'loadall' needs a directory to pin the programs in");
	while (argc)
		if (parse_load_word(&argc, &argv, args))
			return -1;
	args->opts.reuse = &args->reuse;
	return 0;
}

/* bpftool's `type TYPE`: libbpf's section name for it. bpfvm
 * takes every program's type from its section, so a TYPE that names
 * another type than a program's is refused rather than ignored. */
static int check_type(const struct cli_object *co, const char *type)
{
	enum bpf_attach_type attach;
	enum bpf_prog_type want;
	char section[64];

	/* libbpf knows "xdp" (no '/'), and "kprobe/"; it would warn on the miss */
	snprintf(section, sizeof(section), "%s/", type);
	libbpf_set_print(NULL);
	if (libbpf_prog_type_by_name(type, &want, &attach) &&
	    libbpf_prog_type_by_name(section, &want, &attach))
		return cli_error("failed to guess program type from ELF section '%s'", section);
	for (size_t i = 0; i < bpfvm_object_prog_cnt(co->obj); i++) {
		const struct bpfvm_prog *prog = bpfvm_object_prog(co->obj, i);

		if (bpfvm_prog_autoload(prog) && bpfvm_prog_type(prog) != want)
			return cli_error("type %s: bpfvm takes the program type from the section, "
					 "and '%s' (%s) is a %s program", type,
					 bpfvm_prog_name(prog), bpfvm_prog_section(prog),
					 libbpf_bpf_prog_type_str(bpfvm_prog_type(prog)));
	}
	return 0;
}

/* ---- pinmaps ---------------------------------------------------------- */

/* libbpf's name for a map's pin: its name, internal maps (.data, .bss,
 * .rodata) as the kernel has them ("xdp_pars.rodata"). */
static const char *pin_name(const struct bpfvm_map *map, struct bpfvm_map_info *info)
{
	const char *name = bpfvm_map_name(map);

	if (strchr(name, '.') && !bpfvm_map_get_info(map, info))
		return info->name;
	return name;
}

/* MAP_DIR, made as libbpf makes a pin's directory (one level, 0700);
 * relative to the namespace's root, as pin paths are. */
static int make_pin_dir(struct bpfvm *vm, const char *dir, const char *what)
{
	char path[4096];

	if (dir[0] == '/')
		snprintf(path, sizeof(path), "%s", dir);
	else
		snprintf(path, sizeof(path), "%s/%s", bpfvm_ns_root(vm), dir);
	if (mkdir(path, 0700) && errno != EEXIST)
		return cli_error("%s: can't make %s: %s", what, path, strerror(errno));
	return 0;
}

static void unpin_first(struct bpfvm *vm, const char *dir, const struct bpfvm_object *obj,
			size_t count)
{
	for (size_t i = 0; i < count; i++) {
		struct bpfvm_map_info info;
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", dir, pin_name(bpfvm_object_map(obj, i), &info));
		bpfvm_obj_unpin(vm, path);
	}
}

/* libbpf's bpf_object__pin_maps: all or none. */
static int pin_maps(struct cli_object *co, const char *dir)
{
	if (make_pin_dir(co->vm, dir, "failed to pin all maps"))
		return -1;
	for (size_t i = 0; i < bpfvm_object_map_cnt(co->obj); i++) {
		struct bpfvm_map *map = bpfvm_object_map(co->obj, i);
		struct bpfvm_map_info info;
		char path[4096];
		int err;

		snprintf(path, sizeof(path), "%s/%s", dir, pin_name(map, &info));
		err = bpfvm_map_pin(map, path);
		if (err) {
			cli_error("failed to pin all maps: map '%s' at %s: %s (%s)",
				  bpfvm_map_name(map), path, strerror(-err), bpfvm_errmsg());
			unpin_first(co->vm, dir, co->obj, i);
			return -1;
		}
	}
	return 0;
}

/* ---- programs ----------------------------------------------------------- */

/* libbpf's bpf_object__unpin_programs, after a failure. */
static void unpin_programs(struct cli_object *co, const char *dir, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		struct bpfvm_prog *prog = bpfvm_object_prog(co->obj, i);
		char path[4096];

		if (!bpfvm_prog_autoload(prog))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, bpfvm_prog_name(prog));
		bpfvm_obj_unpin(co->vm, path);
	}
}

static int pin_failed(const char *what, const char *path, int err)
{
	if (err == -EEXIST || err == -ENOENT || err == -EACCES)
		return cli_error("%s (%s): %s", what, path, strerror(-err));
	return cli_error("%s (%s): %s (%s)", what, path, strerror(-err), bpfvm_errmsg());
}

/* loadall: each program at PATH/NAME (libbpf's bpf_object__pin_programs,
 * which makes PATH), all or none. */
static int pin_all_programs(struct cli_object *co, const char *dir)
{
	if (make_pin_dir(co->vm, dir, "failed to pin all programs"))
		return -1;
	for (size_t i = 0; i < bpfvm_object_prog_cnt(co->obj); i++) {
		struct bpfvm_prog *prog = bpfvm_object_prog(co->obj, i);
		char path[4096];
		int err;

		if (!bpfvm_prog_autoload(prog))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, bpfvm_prog_name(prog));
		err = bpfvm_prog_pin(prog, path);
		if (err) {
			unpin_programs(co, dir, i);
			return pin_failed("failed to pin all programs", path, err);
		}
	}
	return 0;
}

/* load: the first program loaded at PATH, as bpftool (its
 * bpf_object__next_program); with `name`, that one. */
static int pin_first_program(struct cli_object *co, const struct load_args *args)
{
	struct bpfvm_prog *prog = NULL;
	char what[128];
	int err;

	if (args->opts.prog)
		prog = bpfvm_object_find_prog(co->obj, args->opts.prog);
	for (size_t i = 0; !prog && i < bpfvm_object_prog_cnt(co->obj); i++)
		if (bpfvm_prog_autoload(bpfvm_object_prog(co->obj, i)))
			prog = bpfvm_object_prog(co->obj, i);
	if (!prog)
		return cli_error("object file doesn't contain any bpf program");
	err = bpfvm_prog_pin(prog, args->path);
	if (!err)
		return 0;
	snprintf(what, sizeof(what), "failed to pin program %s", bpfvm_prog_section(prog));
	return pin_failed(what, args->path, err);
}

/* bpftool's order: the programs, then the maps; the programs unpinned if
 * the maps fail. */
static int pin_all(struct cli_object *co, const struct load_args *args)
{
	if (args->path && (args->all ? pin_all_programs(co, args->path)
				     : pin_first_program(co, args)))
		return -1;
	if (!args->pinmaps || !pin_maps(co, args->pinmaps))
		return 0;
	if (args->all)
		unpin_programs(co, args->path, bpfvm_object_prog_cnt(co->obj));
	else if (args->path)
		bpfvm_obj_unpin(co->vm, args->path);
	return -1;
}

int cli_prog_load(int argc, char **argv, bool all)
{
	struct load_args args = { .all = all };
	struct cli_object co;
	int err = 0;

	if (parse_load_args(argc, argv, &args) || cli_object_load_opts(args.obj, &args.opts, &co))
		return -1;
	if (args.type)
		err = check_type(&co, args.type);
	/* Asked for: each verified program's log, as libbpf prints it. */
	for (size_t i = 0; !err && args.opts.log_level && !cli_debug &&
			   i < bpfvm_object_prog_cnt(co.obj); i++)
		cli_print_prog_log(stdout, bpfvm_object_prog(co.obj, i));
	if (!err)
		err = pin_all(&co, &args);
	cli_object_close(&co);
	if (err)
		return -1;
	if (cli_json)
		json_null_document(cli_pretty);
	return 0;
}
