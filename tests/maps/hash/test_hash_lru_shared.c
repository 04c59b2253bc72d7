/* An LRU hash shared by two processes through reuse at load: both load
 * lru_shared.bpf.c, whose map is pinned by name; the second reuses the
 * first's map (same id), and every run of either process's program counts
 * into the one value. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ns/ns_testlib.h"
#include "testlib.h"

#define RUNS 2000

static const char *objdir;
static int ids_pipe[2], loaded_pipe[2];

static int load(struct bpfvm *vm, struct bpfvm_object **obj)
{
	char path[PATH_MAX];
	int err;

	snprintf(path, sizeof(path), "%s/lru_shared.bpf.o", objdir);
	err = bpfvm_object_open(vm, path, NULL, obj);
	if (!err)
		err = bpfvm_object_load(*obj);
	if (err)
		fprintf(stderr, "load: %d %s\n", err, bpfvm_errmsg());
	return err;
}

/* Runs the program RUNS times (a run that lost the first insert to the
 * other process runs again); sends its map's id. */
static int counter(const char *root, void *arg)
{
	static const uint8_t packet[64];
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_test_run_opts run = {
		.sz = sizeof(run), .data_in = packet, .data_size_in = sizeof(packet),
	};
	struct bpfvm_map_info info;
	struct bpfvm_object *obj;
	struct bpfvm_prog *prog;
	int err = load(vm, &obj);

	(void)arg;
	/* Told even on failure, so that the parent never waits for ever. */
	if (write(loaded_pipe[1], "x", 1) != 1 || err)
		return 1;
	prog = bpfvm_object_find_prog(obj, "lru_count");
	for (int i = 0, retries = 0; i < RUNS; i++) {
		if (bpfvm_prog_test_run(prog, &run))
			return 2;
		if (run.retval != XDP_PASS && retries++ < 100)
			i--;
	}
	bpfvm_map_get_info(bpfvm_object_find_map(obj, "lru_counts"), &info);
	if (write(ids_pipe[1], &info.id, sizeof(info.id)) != sizeof(info.id))
		return 3;
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
	return 0;
}

static void test_two_loaders_share_an_lru(const char *root)
{
	const char *test = "an_lru_hash_pinned_by_name_is_shared_by_two_processes";
	struct bpfvm *vm;
	struct bpfvm_map *map;
	uint32_t ids[2] = { 0, 0 }, key = 7;
	uint64_t value = 0;
	pid_t pids[2];
	int bad = 0;

	if (pipe(ids_pipe) || pipe(loaded_pipe)) {
		testlib_check(test, false, "pipe");
		return;
	}
	/* The second loads once the first has pinned the map: two loaders
	 * that both find no pin both create one, and the second's pin fails
	 * with EEXIST, as with libbpf. Then both run at once. */
	for (int i = 0; i < 2; i++) {
		char ch;

		pids[i] = fork();
		if (pids[i] == 0)
			_exit(counter(root, NULL));
		if (read(loaded_pipe[0], &ch, 1) != 1)
			break;
	}
	for (int i = 0; i < 2; i++) {
		int status;

		waitpid(pids[i], &status, 0);
		bad += !WIFEXITED(status) || WEXITSTATUS(status);
	}
	testlib_check(test, bad == 0 && read(ids_pipe[0], ids, sizeof(ids)) == sizeof(ids),
		      "both processes loaded and ran (%d failed)", bad);
	testlib_check(test, ids[0] && ids[0] == ids[1], "one map: ids %u and %u", ids[0], ids[1]);
	vm = ns_test_vm(root);
	testlib_check(test, bpfvm_map_get_by_pin(vm, "lru_counts", NULL, &map) == 0,
		      "the map stays pinned: %s", bpfvm_errmsg());
	testlib_check(test, bpfvm_map_lookup(map, &key, &value) == 0 && value == 2 * RUNS,
		      "key 7 counts %llu runs, want %d", (unsigned long long)value, 2 * RUNS);
	bpfvm_obj_unpin(vm, "lru_counts");
	bpfvm_map_close(map);
	bpfvm_destroy(vm);
	close(ids_pipe[0]);
	close(ids_pipe[1]);
	close(loaded_pipe[0]);
	close(loaded_pipe[1]);
}

int main(int argc, char **argv)
{
	char root[64];

	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJECTS_DIR\n", argv[0]);
		return 2;
	}
	objdir = argv[1];
	ns_test_root_make(root, sizeof(root));
	test_two_loaders_share_an_lru(root);
	ns_test_root_remove(root);
	return testlib_summary();
}
