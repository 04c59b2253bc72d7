/* Reuse at load, as libbpf: seed 004's two loaders in two processes (a tc
 * object and a cgroup_skb object) share one map pinned by name; a mismatch
 * is an error naming the field, never a second map; explicit reuse by
 * handle and by pin path. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ns/ns_testlib.h"
#include "testlib.h"

static const char *objdir;
static int to_parent[2], to_child[2];

/* An Ethernet + IPv4 + UDP packet: what tc and cgroup_skb test runs take. */
static const uint8_t packet[64] = {
	[12] = 0x08, [13] = 0x00, [14] = 0x45, [16] = 0x00, [17] = 50, [22] = 64, [23] = 17,
};

static int load_and_run(struct bpfvm *vm, const char *file, const char *prog_name,
			struct bpfvm_object **obj_out, uint32_t *map_id)
{
	char path[PATH_MAX];
	struct bpfvm_test_run_opts run = {
		.sz = sizeof(run), .data_in = packet, .data_size_in = sizeof(packet),
	};
	struct bpfvm_map_info info;
	struct bpfvm_object *obj;
	int err;

	snprintf(path, sizeof(path), "%s/%s", objdir, file);
	err = bpfvm_object_open(vm, path, NULL, &obj);
	if (!err)
		err = bpfvm_object_load(obj);
	if (err) {
		fprintf(stderr, "%s: %d %s\n", file, err, bpfvm_errmsg());
		bpfvm_object_close(obj);
		return err;
	}
	err = bpfvm_prog_test_run(bpfvm_object_find_prog(obj, prog_name), &run);
	if (err)
		fprintf(stderr, "%s: run %d %s\n", file, err, bpfvm_errmsg());
	bpfvm_map_get_info(bpfvm_object_find_map(obj, "shared_counts"), &info);
	*map_id = info.id;
	*obj_out = obj;
	return err;
}

/* A loader process: loads its object, runs its program once, tells the
 * parent its map's id, waits for the go to run once more, then exits with
 * the object still loaded (the pin keeps the map). */
static int loader(const char *root, void *arg)
{
	const char **which = arg;
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_test_run_opts run = {
		.sz = sizeof(run), .data_in = packet, .data_size_in = sizeof(packet),
	};
	struct bpfvm_object *obj;
	uint32_t id;
	char go;

	if (load_and_run(vm, which[0], which[1], &obj, &id))
		return 1;
	if (write(to_parent[1], &id, sizeof(id)) != sizeof(id) ||
	    read(to_child[0], &go, 1) != 1)
		return 2;
	if (bpfvm_prog_test_run(bpfvm_object_find_prog(obj, which[1]), &run))
		return 3;
	return 0;
}

static uint64_t read_slot0(struct bpfvm *vm)
{
	struct bpfvm_map *map;
	uint32_t key = 0;
	uint64_t value = 0;

	if (bpfvm_map_get_by_pin(vm, "shared_counts", NULL, &map))
		return ~0ull;
	bpfvm_map_lookup(map, &key, &value);
	bpfvm_map_close(map);
	return value;
}

static void tc_and_cgroup_loaders_in_two_processes_share_one_map(const char *root)
{
	const char *test = "tc_and_cgroup_loaders_in_two_processes_share_one_map";
	const char *tc[] = { "ns_tc_counter.bpf.o", "tc_count" };
	const char *cgroup[] = { "ns_cgroup_counter.bpf.o", "cgroup_count" };
	struct bpfvm *vm = ns_test_vm(root);
	uint32_t tc_id = 0, cgroup_id = 0;
	pid_t tc_pid, cgroup_pid;
	int status;

	if (pipe(to_parent) || pipe(to_child))
		exit(1);
	fflush(stdout);
	tc_pid = fork();
	if (tc_pid == 0)
		_exit(loader(root, tc));
	testlib_check(test, read(to_parent[0], &tc_id, 4) == 4, "the tc loader loaded");
	cgroup_pid = fork();
	if (cgroup_pid == 0)
		_exit(loader(root, cgroup));
	testlib_check(test, read(to_parent[0], &cgroup_id, 4) == 4, "the cgroup loader loaded");
	testlib_check(test, tc_id && tc_id == cgroup_id, "one map: ids %u and %u", tc_id,
		      cgroup_id);
	testlib_check(test, read_slot0(vm) == 101, "each saw the other's write: %llu",
		      (unsigned long long)read_slot0(vm));
	testlib_check(test, write(to_child[1], "gg", 2) == 2, "go");
	waitpid(tc_pid, &status, 0);
	testlib_check(test, WIFEXITED(status) && WEXITSTATUS(status) == 0, "tc loader exit");
	waitpid(cgroup_pid, &status, 0);
	testlib_check(test, WIFEXITED(status) && WEXITSTATUS(status) == 0, "cgroup loader exit");
	testlib_check(test, read_slot0(vm) == 202, "both ran again on the one map: %llu",
		      (unsigned long long)read_slot0(vm));
	testlib_check(test, ns_test_count_named(vm, "shared_counts") == 1,
		      "the namespace holds one shared_counts");
	bpfvm_destroy(vm);
}

/* Runs in the same root after the test above: shared_counts is pinned. */
static void a_mismatched_pinned_map_fails_the_load_naming_the_field(const char *root)
{
	const char *test = "a_mismatched_pinned_map_fails_the_load_naming_the_field";
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj;
	char path[PATH_MAX];
	int rc;

	snprintf(path, sizeof(path), "%s/ns_mismatch.bpf.o", objdir);
	rc = bpfvm_object_open(vm, path, NULL, &obj);
	rc = rc ? rc : bpfvm_object_load(obj);
	testlib_check(test, rc == -EINVAL && strstr(bpfvm_errmsg(), "parameter mismatch") &&
			    strstr(bpfvm_errmsg(), "max_entries (4 there, 8 in the object)"),
		      "mismatch: %d '%s'", rc, bpfvm_errmsg());
	bpfvm_object_close(obj);
	testlib_check(test, ns_test_count_named(vm, "shared_counts") == 1,
		      "no second map was made");
	testlib_check(test, read_slot0(vm) == 202, "the pinned map is untouched");
	bpfvm_obj_unpin(vm, "shared_counts");
	bpfvm_destroy(vm);
}

static void explicit_reuse_by_handle_and_by_pin_path(const char *root)
{
	const char *test = "explicit_reuse_by_handle_and_by_pin_path";
	struct bpfvm_test_run_opts run = {
		.sz = sizeof(run), .data_in = packet, .data_size_in = sizeof(packet),
	};
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_map *mine, *wrong;
	struct bpfvm_object *obj;
	char path[PATH_MAX];
	uint32_t key = 2;
	uint64_t value = 0;
	int idx, rc;

	snprintf(path, sizeof(path), "%s/ns_plain.bpf.o", objdir);
	bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY, "mine", 4, 8, 4, NULL, &mine);
	bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY, "wrong", 4, 4, 4, NULL, &wrong);
	/* By handle (an id's map: bpfvm_map_get_by_id gives such a handle). */
	bpfvm_object_open(vm, path, NULL, &obj);
	idx = bpfvm_object_map_index(obj, "plain_counts");
	testlib_check(test, idx == 0, "map index %d", idx);
	rc = bpfvm_object_reuse_map(obj, (size_t)idx, mine);
	rc = rc ? rc : bpfvm_object_load(obj);
	rc = rc ? rc : bpfvm_prog_test_run(bpfvm_object_find_prog(obj, "tc_plain"), &run);
	testlib_check(test, rc == 0 && bpfvm_object_find_map(obj, "plain_counts") == mine,
		      "the object uses the given map: %d %s", rc, bpfvm_errmsg());
	testlib_check(test, bpfvm_map_lookup(mine, &key, &value) == 0 && value == 7,
		      "its program wrote into it");
	bpfvm_object_close(obj);
	bpfvm_object_open(vm, path, NULL, &obj);
	bpfvm_object_reuse_map(obj, 0, wrong);
	rc = bpfvm_object_load(obj);
	testlib_check(test, rc == -EINVAL && strstr(bpfvm_errmsg(), "value_size"),
		      "a given map of another value size: %d '%s'", rc, bpfvm_errmsg());
	bpfvm_object_close(obj);
	/* By pin path: created and pinned there the first time, reused next. */
	for (int round = 0; round < 2; round++) {
		bpfvm_object_open(vm, path, NULL, &obj);
		rc = bpfvm_object_set_pin_path(obj, 0, "by_path");
		rc = rc ? rc : bpfvm_object_load(obj);
		testlib_check(test, rc == 0, "round %d: load with a pin path: %s", round,
			      bpfvm_errmsg());
		bpfvm_object_close(obj);
	}
	testlib_check(test, ns_test_count_named(vm, "plain_counts") == 1,
		      "one map made for two loads with the same pin path");
	testlib_check(test, bpfvm_object_reuse_map(obj = NULL, 0, mine) == -EINVAL,
		      "NULL object: EINVAL");
	bpfvm_obj_unpin(vm, "by_path");
	bpfvm_map_close(mine);
	bpfvm_map_close(wrong);
	bpfvm_destroy(vm);
}

int main(int argc, char **argv)
{
	char root[PATH_MAX];

	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJDIR\n", argv[0]);
		return 2;
	}
	objdir = argv[1];
	alarm(60);
	ns_test_root_make(root, sizeof(root));
	tc_and_cgroup_loaders_in_two_processes_share_one_map(root);
	a_mismatched_pinned_map_fails_the_load_naming_the_field(root);
	ns_test_root_remove(root);
	ns_test_root_make(root, sizeof(root));
	explicit_reuse_by_handle_and_by_pin_path(root);
	ns_test_root_remove(root);
	return testlib_summary();
}
