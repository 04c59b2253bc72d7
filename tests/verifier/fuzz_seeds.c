/* Seeds of the soundness fuzzer (fuzz.h): programs the verifier accepts.
 *
 * An object's program is taken as the verifier sees it: the instructions as
 * linked when the object is opened (context accesses in the UAPI layout), with
 * the map references of the loaded program (lddw map[idx:N], which the loader
 * writes). A program whose loaded form has another length (the verifier
 * patched it) is skipped, as is one the verifier refuses in that form.
 */
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "../testlib.h"
#include "checked_testlib.h"
#include "engine/prog.h"
#include "fuzz.h"
#include "isa/isa.h"

static bool type_runs_with_test_run(enum bpf_prog_type type)
{
	switch (type) {
	case BPF_PROG_TYPE_XDP:
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_SOCKET_FILTER:
	case BPF_PROG_TYPE_CGROUP_SKB:
	case BPF_PROG_TYPE_RAW_TRACEPOINT:
		return true;
	default:
		return false;
	}
}

static int seeds_push(struct fuzz_seeds *seeds, const struct fuzz_prog *prog)
{
	if (seeds->cnt == seeds->cap) {
		size_t cap = seeds->cap ? seeds->cap * 2 : 32;
		struct fuzz_prog *bigger = realloc(seeds->progs, cap * sizeof(*bigger));

		if (!bigger)
			return -1;
		seeds->progs = bigger;
		seeds->cap = cap;
	}
	seeds->progs[seeds->cnt++] = *prog;
	return 0;
}

/* Whether the verifier accepts the seed as it stands. */
static bool seed_verifies(struct bpfvm *vm, const struct fuzz_prog *prog)
{
	struct bpfvm_prog *loaded = NULL;
	int err = checked_load_insns(vm, prog->source, prog->type, prog->insns, prog->insn_cnt,
				     prog->maps, prog->map_cnt, true, &loaded);

	checked_prog_free(loaded);
	return err == 0;
}

/* The linked instructions of `opened` with the lddw pairs of `loaded`. */
static void add_object_prog(struct bpfvm *vm, struct fuzz_seeds *seeds, const char *file,
			    const struct bpf_insn *linked, size_t linked_cnt,
			    struct bpfvm_prog *loaded)
{
	struct fuzz_prog prog = { .type = loaded->type,
				  .expected_attach_type = loaded->expected_attach_type,
				  .maps = loaded->maps, .map_cnt = loaded->map_cnt };

	if (!type_runs_with_test_run(loaded->type) || loaded->insn_cnt != linked_cnt) {
		seeds->progs_skipped++;
		return;
	}
	snprintf(prog.source, sizeof(prog.source), "%s:%s", file, loaded->name);
	prog.insn_cnt = linked_cnt;
	prog.insns = malloc(linked_cnt * sizeof(*prog.insns));
	if (!prog.insns)
		return;
	memcpy(prog.insns, linked, linked_cnt * sizeof(*prog.insns));
	for (size_t i = 0; i + 1 < linked_cnt; i++) {
		if (isa_is_lddw(loaded->insns[i].code)) {
			prog.insns[i] = loaded->insns[i];
			prog.insns[i + 1] = loaded->insns[i + 1];
			i++;
		}
	}
	if (!seed_verifies(vm, &prog) || seeds_push(seeds, &prog)) {
		seeds->progs_skipped++;
		free(prog.insns);
	}
}

struct linked_copy {
	struct bpf_insn *insns;
	size_t cnt;
};

static void add_object(struct bpfvm *vm, struct fuzz_seeds *seeds, const char *dir,
		       const char *file)
{
	struct bpfvm_object *obj = NULL, **bigger;
	struct linked_copy copies[64] = { { 0 } };
	char path[1024];
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (bpfvm_object_open(vm, path, NULL, &obj)) {
		seeds->objects_skipped++;
		return;
	}
	for (; n < 64 && bpfvm_object_prog(obj, n); n++) {
		struct bpfvm_prog *prog = bpfvm_object_prog(obj, n);

		copies[n].cnt = prog->insn_cnt;
		copies[n].insns = malloc(prog->insn_cnt * sizeof(*prog->insns));
		if (copies[n].insns)
			memcpy(copies[n].insns, prog->insns, prog->insn_cnt * sizeof(*prog->insns));
	}
	bigger = realloc(seeds->objects, (seeds->object_cnt + 1) * sizeof(*bigger));
	if (bpfvm_object_load(obj) || !bigger) {
		seeds->objects_skipped++;
		bpfvm_object_close(obj);
		if (bigger)
			seeds->objects = bigger;
	} else {
		seeds->objects = bigger;
		seeds->objects[seeds->object_cnt++] = obj;
		for (size_t i = 0; i < n; i++)
			if (copies[i].insns)
				add_object_prog(vm, seeds, file, copies[i].insns, copies[i].cnt,
						bpfvm_object_prog(obj, i));
	}
	for (size_t i = 0; i < n; i++)
		free(copies[i].insns);
}

static bool has_suffix(const char *name, const char *suffix)
{
	size_t len = strlen(name), slen = strlen(suffix);

	return len > slen && strcmp(name + len - slen, suffix) == 0; /* "": any name */
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names under dir that end with suffix, sorted (the order of seeds must
 * not depend on the file system's). */
static char **sorted_names(const char *dir, const char *suffix, size_t *cnt)
{
	DIR *d = opendir(dir);
	struct dirent *entry;
	char **names = NULL;

	*cnt = 0;
	if (!d)
		return NULL;
	while ((entry = readdir(d))) {
		char **bigger;

		if (!has_suffix(entry->d_name, suffix))
			continue;
		bigger = realloc(names, (*cnt + 1) * sizeof(*names));
		if (!bigger)
			break;
		names = bigger;
		names[(*cnt)++] = strdup(entry->d_name);
	}
	closedir(d);
	if (names)
		qsort(names, *cnt, sizeof(*names), compare_names);
	return names;
}

void fuzz_seeds_add_objects(struct bpfvm *vm, struct fuzz_seeds *seeds, const char *dir)
{
	size_t cnt;
	char **names = sorted_names(dir, ".bpf.o", &cnt);

	for (size_t i = 0; i < cnt; i++) {
		if (names[i])
			add_object(vm, seeds, dir, names[i]);
		free(names[i]);
	}
	free(names);
}

static bool is_directory(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The libFuzzer seed and corpus directories hold copies of the build's
 * objects that tests/fuzz/make_seeds.sh writes while other tests run: a
 * walk that met them half written counted a different number of programs
 * in each engine (fuzz_engines' "seeds load under" mismatch). The walk
 * leaves them out, as make_seeds.sh leaves them out of its own. */
static bool is_fuzz_copy_dir(const char *path, const char *name)
{
	size_t len = strlen(path);

	return strcmp(name, "fuzz-inputs") == 0 ||
	       (len >= 11 && strcmp(path + len - 11, "/tests/fuzz") == 0);
}

void fuzz_seeds_add_tree(struct bpfvm *vm, struct fuzz_seeds *seeds, const char *root)
{
	size_t cnt;
	char **names = sorted_names(root, "", &cnt);

	fuzz_seeds_add_objects(vm, seeds, root);
	for (size_t i = 0; i < cnt; i++) {
		char path[1024];

		snprintf(path, sizeof(path), "%s/%s", root, names[i]);
		if (names[i][0] != '.' && is_directory(path) && !is_fuzz_copy_dir(path, names[i]))
			fuzz_seeds_add_tree(vm, seeds, path);
		free(names[i]);
	}
	free(names);
}

void fuzz_seeds_add_asm(struct fuzz_seeds *seeds, const char *dir)
{
	size_t cnt;
	char **names = sorted_names(dir, ".s", &cnt);

	for (size_t i = 0; i < cnt; i++) {
		struct fuzz_prog prog = { .type = BPFVM_PROG_TYPE_RAW };
		char path[1024];
		char *text;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		text = testlib_read_file(path);
		snprintf(prog.source, sizeof(prog.source), "%s", names[i]);
		if (!text || bpfvm_asm_parse(text, &prog.insns, &prog.insn_cnt) ||
		    seeds_push(seeds, &prog))
			seeds->progs_skipped++;
		free(text);
		free(names[i]);
	}
	free(names);
}

void fuzz_seeds_release(struct fuzz_seeds *seeds)
{
	for (size_t i = 0; i < seeds->cnt; i++)
		free(seeds->progs[i].insns);
	free(seeds->progs);
	for (size_t i = 0; i < seeds->object_cnt; i++)
		bpfvm_object_close(seeds->objects[i]);
	free(seeds->objects);
	memset(seeds, 0, sizeof(*seeds));
}
