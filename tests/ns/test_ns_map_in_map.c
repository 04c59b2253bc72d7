/* Maps of maps shared across processes (docs/namespace.md, "Shared maps of
 * maps"): an ARRAY_OF_MAPS and a HASH_OF_MAPS pinned by name and
 * statically initialised (ns_mim.bpf.c), used by programs and user space
 * of several processes; a slot keeps its map after the process that wrote
 * it exits, and lets it go when replaced; writers killed at random moments
 * leave every slot naming a live map of the template and no file behind. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ns/ns_testlib.h"
#include "testlib.h"

#define MIM_ARRAY_SLOTS 4
#define MIM_HASH_KEYS 8

static const char *objdir;

static const uint8_t packet[64] = { [12] = 0x08 };

/* mim_count's result: how many inner maps it reached (and counted into),
 * or -1 when the run failed. */
static int run_count(struct bpfvm_object *obj)
{
	struct bpfvm_test_run_opts run = {
		.sz = sizeof(run), .data_in = packet, .data_size_in = sizeof(packet),
	};

	if (bpfvm_prog_test_run(bpfvm_object_find_prog(obj, "mim_count"), &run)) {
		fprintf(stderr, "mim_count: %s\n", bpfvm_errmsg());
		return -1;
	}
	return (int)run.retval;
}

/* The id a user-space lookup of `key` gives (the kernel's answer for a map
 * of maps), 0 when empty. */
static uint32_t slot_id(struct bpfvm_map *outer, uint32_t key)
{
	uint32_t id;

	return bpfvm_map_lookup(outer, &key, &id) ? 0 : id;
}

/* The counter of inner map `id`, opened by id; -1 if it cannot be. */
static int64_t counter_of(struct bpfvm *vm, uint32_t id)
{
	struct bpfvm_map *inner;
	uint32_t zero = 0;
	uint64_t count;

	if (bpfvm_map_get_by_id(vm, id, &inner))
		return -1;
	if (bpfvm_map_lookup(inner, &zero, &count))
		count = (uint64_t)-1;
	bpfvm_map_close(inner);
	return (int64_t)count;
}

static uint32_t put_new_counter(struct bpfvm *vm, struct bpfvm_map *outer, uint32_t key)
{
	struct bpfvm_map *map;
	struct bpfvm_map_info info;
	int err;

	if (bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY, "mim_counter", 4, 8, 1, NULL, &map))
		return 0;
	bpfvm_map_get_info(map, &info);
	err = bpfvm_map_update(outer, &key, &info.id, BPF_ANY);
	if (err)
		fprintf(stderr, "update [%u] = %u: %d %s\n", key, info.id, err, bpfvm_errmsg());
	bpfvm_map_close(map);
	return err ? 0 : info.id;
}

static bool map_file_exists(const char *root, uint32_t id)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/.bpfvm/maps/%u", root, id);
	return ns_test_exists(path);
}

/* The entries of <root>/.bpfvm/maps (files and hold directories). */
static int maps_dir_entries(const char *root)
{
	char path[PATH_MAX + 64];
	struct dirent *entry;
	int count = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/.bpfvm/maps", root);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((entry = readdir(dir)))
		if (entry->d_name[0] != '.') {
			printf("    left: maps/%s\n", entry->d_name);
			count++;
		}
	closedir(dir);
	return count;
}

static int no_entry(void *ctx, const struct bpfvm_ns_entry *entry)
{
	return 0;
}

/* ---- A creates, B uses, both see the other's writes -------------------- */

/* A: loads the object (creates and pins the outer maps, fills their static
 * slots with its inner maps, pinned nowhere) and runs once, then exits. */
static int loader_a(const char *root, void *arg)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj = ns_test_load_object(vm, objdir, "ns_mim.bpf.o");

	return obj && run_count(obj) == 3 ? 0 : 1;
}

/* C: loads the object (reusing the pins: the slots stay as they are), runs
 * once, and puts a counter of its own at hash key 5 before it exits. */
static int loader_c(const char *root, void *arg)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj = ns_test_load_object(vm, objdir, "ns_mim.bpf.o");
	int found;

	if (!obj)
		return 1;
	found = run_count(obj);
	if (found != 3) {
		fprintf(stderr, "C's run found %d inner maps, not 3\n", found);
		return 2;
	}
	return put_new_counter(vm, bpfvm_object_find_map(obj, "mim_hash"), 5) ? 0 : 3;
}

/* A private map type (pinning: -EOPNOTSUPP) that can be a template, if one
 * is left: other work makes more types shared. */
static int private_template(struct bpfvm *vm, struct bpfvm_map **map_out)
{
	static const struct { uint32_t type, key, value, max; } candidates[] = {
		{ BPF_MAP_TYPE_RINGBUF, 0, 0, 4096 },
		{ BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 2 },
		{ BPF_MAP_TYPE_STACK_TRACE, 4, 8 * 127, 4 },
		{ BPF_MAP_TYPE_DEVMAP, 4, 4, 2 },
		{ BPF_MAP_TYPE_SOCKMAP, 4, 4, 2 },
	};

	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		struct bpfvm_map *map;

		if (bpfvm_map_create(vm, candidates[i].type, "mim_private", candidates[i].key,
				     candidates[i].value, candidates[i].max, NULL, &map))
			continue;
		if (bpfvm_map_pin(map, "mim_private_probe") == -EOPNOTSUPP) {
			*map_out = map;
			return 0;
		}
		bpfvm_obj_unpin(vm, "mim_private_probe");
		bpfvm_map_close(map);
	}
	return -ENOENT;
}

static void test_private_inner_refused(struct bpfvm *vm)
{
	const char *test = "shared_map_of_maps_refuses_a_private_inner_type";
	struct bpfvm_map_create_opts opts = { .sz = sizeof(opts) };
	struct bpfvm_map *template, *outer;
	int err;

	if (private_template(vm, &template)) {
		printf("  %s: no private map type left to try (nothing to check)\n", test);
		return;
	}
	opts.inner_map = template;
	err = bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY_OF_MAPS, "mim_outer_priv", 4, 4, 2, &opts,
			       &outer);
	testlib_check(test, err == -EOPNOTSUPP && strstr(bpfvm_errmsg(), "private"),
		      "creating an outer map of private inner maps: %d (%s)", err,
		      bpfvm_errmsg());
	if (!err)
		bpfvm_map_close(outer);
	bpfvm_map_close(template);
}

/* The template, checked by a process that did not create the outer map:
 * a 2-entry array cannot go where the template has 1 (no BPF_F_INNER_MAP),
 * and the refused map is not held. */
static void test_template_from_another_process(struct bpfvm *vm, struct bpfvm_map *array,
					       uint32_t id_b)
{
	const char *test = "map_of_maps_template_holds_in_another_process";
	struct bpfvm_map_info info;
	struct bpfvm_map *wrong;
	uint32_t key = 1;
	int err;

	if (bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY, "mim_wrong", 4, 8, 2, NULL, &wrong)) {
		testlib_check(test, false, "cannot create a map: %s", bpfvm_errmsg());
		return;
	}
	bpfvm_map_get_info(wrong, &info);
	err = bpfvm_map_update(array, &key, &info.id, BPF_ANY);
	testlib_check(test, err == -EINVAL && strstr(bpfvm_errmsg(), "max_entries") &&
			    slot_id(array, 1) == id_b,
		      "a 2-entry array into a 1-entry template's slot: %d (%s)", err,
		      bpfvm_errmsg());
	bpfvm_map_close(wrong);
}

static void test_shared_slots(void)
{
	const char *test = "map_of_maps_slots_are_shared_across_processes";
	char root[PATH_MAX];
	struct bpfvm_map *array = NULL, *hash = NULL;
	struct bpfvm_object *obj = NULL;
	uint32_t id_a, id_b, id_x, id_y, key;
	struct bpfvm *vm;
	int err, found;

	ns_test_root_make(root, sizeof(root));
	testlib_check(test, ns_test_in_child(loader_a, root, NULL) == 0, "process A failed");
	vm = ns_test_vm(root);
	testlib_check(test, bpfvm_map_get_by_pin(vm, "mim_array", NULL, &array) == 0 &&
			    bpfvm_map_get_by_pin(vm, "mim_hash", NULL, &hash) == 0,
		      "opening the pins: %s", bpfvm_errmsg());
	if (!array || !hash)
		goto out;

	/* User space reads ids; A's inner maps outlive A: the slots hold them. */
	id_a = slot_id(array, 0);
	id_b = slot_id(array, 1);
	testlib_check(test, id_a && id_b && id_a != id_b && slot_id(hash, 2) == id_b &&
			    !slot_id(array, 2) && !slot_id(hash, 0),
		      "slots after A: array [%u %u %u] hash[2] %u", id_a, id_b, slot_id(array, 2),
		      slot_id(hash, 2));
	testlib_check(test, counter_of(vm, id_a) == 1 && counter_of(vm, id_b) == 2,
		      "A's counts: a %lld b %lld (want 1 2)", (long long)counter_of(vm, id_a),
		      (long long)counter_of(vm, id_b));

	/* A slot emptied lets its map go: nothing else keeps A's inner_a. */
	key = 0;
	err = bpfvm_map_delete(array, &key);
	testlib_check(test, err == 0 && !map_file_exists(root, id_a),
		      "delete [0]: %d, inner_a's file %s", err,
		      map_file_exists(root, id_a) ? "still there" : "gone");

	/* B loads the object: the pins are reused, slot 0 stays empty. */
	obj = ns_test_load_object(vm, objdir, "ns_mim.bpf.o");
	found = obj ? run_count(obj) : -1;
	testlib_check(test, found == 2 && counter_of(vm, id_b) == 4,
		      "B's run: found %d (want 2), b %lld (want 4)", found,
		      (long long)counter_of(vm, id_b));

	/* B's slot is seen by C's program; C's slot by B's, after C exits. */
	id_x = put_new_counter(vm, array, 3);
	err = ns_test_in_child(loader_c, root, NULL);
	testlib_check(test, id_x && err == 0 && counter_of(vm, id_x) == 1,
		      "C's run: exit %d, x %lld (want 1)", err, (long long)counter_of(vm, id_x));
	id_y = slot_id(hash, 5);
	found = obj ? run_count(obj) : -1;
	testlib_check(test, id_y && found == 4 && counter_of(vm, id_y) == 1 &&
			    counter_of(vm, id_x) == 2,
		      "B's run after C: found %d (want 4), y %lld (want 1), x %lld (want 2)", found,
		      (long long)counter_of(vm, id_y), (long long)counter_of(vm, id_x));

	test_template_from_another_process(vm, array, id_b);
	{
		struct bpfvm_obj_get_opts rdonly = { .sz = sizeof(rdonly),
						     .file_flags = BPF_F_RDONLY };
		struct bpfvm_map *view;

		key = 1;
		err = bpfvm_map_get_by_pin(vm, "mim_hash", &rdonly, &view);
		testlib_check(test, err == 0 && slot_id(view, 2) == id_b &&
				    bpfvm_map_update(view, &key, &id_b, BPF_ANY) == -EPERM,
			      "a read-only handle: open %d, [2] %u, update allowed", err,
			      err ? 0 : slot_id(view, 2));
		if (!err)
			bpfvm_map_close(view);
	}
	test_private_inner_refused(vm);
out:
	bpfvm_object_close(obj);
	bpfvm_map_close(array);
	bpfvm_map_close(hash);
	bpfvm_obj_unpin(vm, "mim_array");
	bpfvm_obj_unpin(vm, "mim_hash");
	bpfvm_ns_list(vm, no_entry, NULL); /* sweeps what dead processes left */
	testlib_check(test, maps_dir_entries(root) == 0, "map files are left behind");
	bpfvm_destroy(vm);
	ns_test_root_remove(root);
}

/* ---- Writers killed at random moments ----------------------------------- */

/* A writer: replaces and empties random slots with new counters forever.
 * Any error is a bug: it exits with a status (a killed writer has none). */
static int storm_writer(const char *root, void *arg)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_map *array, *hash;

	srand((unsigned)getpid());
	if (bpfvm_map_get_by_pin(vm, "mim_array", NULL, &array) ||
	    bpfvm_map_get_by_pin(vm, "mim_hash", NULL, &hash))
		return 10;
	for (;;) {
		bool in_array = rand() % 2;
		struct bpfvm_map *outer = in_array ? array : hash;
		uint32_t key = (uint32_t)rand() % (in_array ? MIM_ARRAY_SLOTS : MIM_HASH_KEYS);
		int err;

		if (rand() % 4 == 0) {
			err = bpfvm_map_delete(outer, &key);
			if (err && err != -ENOENT) {
				fprintf(stderr, "writer: delete: %d %s\n", err, bpfvm_errmsg());
				return 11;
			}
		} else if (!put_new_counter(vm, outer, key)) {
			return 12;
		}
	}
}

/* A reader: runs mim_count in a loop; every run must succeed and find at
 * most one map per slot. */
static int storm_reader(const char *root, void *arg)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj = ns_test_load_object(vm, objdir, "ns_mim.bpf.o");

	if (!obj)
		return 20;
	for (;;) {
		int found = run_count(obj);

		if (found < 0 || found > MIM_ARRAY_SLOTS + MIM_HASH_KEYS)
			return 21;
	}
}

static pid_t storm_spawn(int (*fn)(const char *root, void *arg), const char *root)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0)
		_exit(fn(root, NULL));
	return pid;
}

/* Kills `pid`; whether it was still running (not exited on its own). */
static bool storm_kill(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid)
		return false;
	if (WIFEXITED(status))
		fprintf(stderr, "process %d exited with %d before it was killed\n", pid,
			WEXITSTATUS(status));
	return WIFSIGNALED(status);
}

/* Every slot names a live map of the template; returns how many do. */
static int storm_check_slots(const char *test, struct bpfvm *vm, struct bpfvm_map *outer,
			     uint32_t slots)
{
	int named = 0;

	for (uint32_t key = 0; key < slots; key++) {
		uint32_t id = slot_id(outer, key);
		struct bpfvm_map_info info = { 0 };
		struct bpfvm_map *inner;

		if (!id)
			continue;
		named++;
		if (bpfvm_map_get_by_id(vm, id, &inner)) {
			testlib_check(test, false, "slot %u names map %u, which is gone: %s", key,
				      id, bpfvm_errmsg());
			continue;
		}
		bpfvm_map_get_info(inner, &info);
		testlib_check(test, info.type == BPF_MAP_TYPE_ARRAY && info.key_size == 4 &&
				    info.value_size == 8 && info.max_entries == 1,
			      "slot %u names map %u of type %u, %u/%u/%u", key, id, info.type,
			      info.key_size, info.value_size, info.max_entries);
		bpfvm_map_close(inner);
	}
	return named;
}

static void test_kill_storm(void)
{
	const char *test = "map_of_maps_writers_killed_leave_live_slots_and_no_files";
	struct bpfvm_map *array = NULL, *hash = NULL;
	struct bpfvm_object *obj;
	pid_t writers[2], reader;
	char root[PATH_MAX];
	int named, found, kills = 0;
	struct bpfvm *vm;

	ns_test_root_make(root, sizeof(root));
	vm = ns_test_vm(root);
	obj = ns_test_load_object(vm, objdir, "ns_mim.bpf.o");
	if (!obj) {
		testlib_check(test, false, "cannot load the object");
		return;
	}
	srand((unsigned)time(NULL));
	for (int i = 0; i < 2; i++)
		writers[i] = storm_spawn(storm_writer, root);
	reader = storm_spawn(storm_reader, root);
	for (int round = 0; round < 12; round++) {
		int which = round % 2;

		usleep(2000 + (useconds_t)(rand() % 30000));
		kills += storm_kill(writers[which]);
		writers[which] = storm_spawn(storm_writer, root);
	}
	usleep(20000);
	kills += storm_kill(writers[0]) + storm_kill(writers[1]);
	testlib_check(test, storm_kill(reader), "the reader failed during the storm");
	testlib_check(test, kills == 14, "%d of 14 writers were still writing when killed",
		      kills);

	array = bpfvm_object_find_map(obj, "mim_array");
	hash = bpfvm_object_find_map(obj, "mim_hash");
	named = storm_check_slots(test, vm, array, MIM_ARRAY_SLOTS) +
		storm_check_slots(test, vm, hash, MIM_HASH_KEYS);
	found = run_count(obj);
	testlib_check(test, found == named, "the program found %d maps, the slots name %d", found,
		      named);
	/* The locks a dead writer held are taken over: every slot can be
	 * written and emptied again. */
	for (uint32_t key = 0; key < MIM_HASH_KEYS; key++) {
		uint32_t array_key = key % MIM_ARRAY_SLOTS;

		testlib_check(test, put_new_counter(vm, array, array_key) &&
				    put_new_counter(vm, hash, key),
			      "rewriting slot %u after the storm", key);
	}
	found = run_count(obj);
	testlib_check(test, found == MIM_ARRAY_SLOTS + MIM_HASH_KEYS,
		      "after refilling, the program found %d maps", found);
	printf("  %s: %d slots named after %d kills\n", test, named, kills);

	bpfvm_object_close(obj);
	bpfvm_obj_unpin(vm, "mim_array");
	bpfvm_obj_unpin(vm, "mim_hash");
	bpfvm_ns_list(vm, no_entry, NULL);
	testlib_check(test, maps_dir_entries(root) == 0,
		      "map files are left behind after everyone exits");
	bpfvm_destroy(vm);
	ns_test_root_remove(root);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJDIR\n", argv[0]);
		return 2;
	}
	objdir = argv[1];
	test_shared_slots();
	test_kill_storm();
	return testlib_summary();
}
