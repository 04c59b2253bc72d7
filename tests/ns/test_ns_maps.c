/* The namespace with real processes (docs/namespace.md): ids unique across
 * processes, every shareable map type seen the same from two processes,
 * pin / get / unpin errors as bpf_obj_pin and bpf_obj_get give them,
 * read-only opens, permissions, lifetime, and refused corrupt files. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ns/ns_testlib.h"
#include "testlib.h"

#define NR_CPUS 2

struct type_case {
	const char *name;
	enum bpf_map_type type;
	uint32_t key_size;
	uint32_t value_size;
	bool keyless; /* QUEUE, STACK */
	bool percpu;
};

static const struct type_case type_cases[] = {
	{ "array", BPF_MAP_TYPE_ARRAY, 4, 8, false, false },
	{ "percpu_array", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, false, true },
	{ "hash", BPF_MAP_TYPE_HASH, 4, 8, false, false },
	{ "percpu_hash", BPF_MAP_TYPE_PERCPU_HASH, 4, 8, false, true },
	{ "lpm_trie", BPF_MAP_TYPE_LPM_TRIE, 8, 8, false, false },
	{ "queue", BPF_MAP_TYPE_QUEUE, 0, 8, true, false },
	{ "stack", BPF_MAP_TYPE_STACK, 0, 8, true, false },
};

/* Key number n of a case: an array index, a hash key, or an LPM /32. */
static void case_key(const struct type_case *c, uint32_t n, uint8_t key[8])
{
	memset(key, 0, 8);
	if (c->type == BPF_MAP_TYPE_LPM_TRIE) {
		uint32_t prefixlen = 32;

		memcpy(key, &prefixlen, 4);
		key[4] = 10;
		key[7] = (uint8_t)n;
	} else {
		memcpy(key, &n, 4);
	}
}

static void case_value(const struct type_case *c, uint64_t v, uint64_t value[NR_CPUS])
{
	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		value[cpu] = c->percpu ? v + (uint64_t)cpu : (cpu ? 0 : v);
}

struct share_arg {
	const struct type_case *c;
	uint32_t id;	  /* the parent's map id */
	uint64_t expect;  /* what the child must read (key 2, or the top) */
};

/* Child 1: opens the pin, checks the id, writes key 1 (or pushes). */
static int child_writes(const char *root, void *p)
{
	struct share_arg *arg = p;
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_map_info info;
	struct bpfvm_map *map;
	uint64_t value[NR_CPUS];
	uint8_t key[8];

	if (bpfvm_map_get_by_pin(vm, arg->c->name, NULL, &map))
		return 10;
	if (bpfvm_map_get_info(map, &info) || info.id != arg->id)
		return 11;
	case_key(arg->c, 1, key);
	case_value(arg->c, 0x1000 + 1, value);
	if (bpfvm_map_update(map, arg->c->keyless ? NULL : key, value, BPF_ANY))
		return 12;
	bpfvm_map_close(map);
	bpfvm_destroy(vm);
	return 0;
}

/* Child 2: opens by id, reads what the parent wrote. */
static int child_reads_by_id(const char *root, void *p)
{
	struct share_arg *arg = p;
	struct bpfvm *vm = ns_test_vm(root);
	uint64_t value[NR_CPUS], expect[NR_CPUS];
	struct bpfvm_map *map;
	uint8_t key[8];

	if (bpfvm_map_get_by_id(vm, arg->id, &map))
		return 20;
	case_key(arg->c, 2, key);
	case_value(arg->c, arg->expect, expect);
	if (bpfvm_map_lookup(map, arg->c->keyless ? NULL : key, value))
		return 21;
	if (memcmp(value, expect, arg->c->percpu ? sizeof(value) : 8))
		return 22;
	bpfvm_map_close(map);
	bpfvm_destroy(vm);
	return 0;
}

static void every_shareable_type_is_seen_the_same_by_two_processes(const char *root)
{
	const char *test = "every_shareable_type_is_seen_the_same_by_two_processes";
	struct bpfvm *vm = ns_test_vm(root);

	for (size_t i = 0; i < sizeof(type_cases) / sizeof(type_cases[0]); i++) {
		const struct type_case *c = &type_cases[i];
		struct bpfvm_map_create_opts opts = {
			.sz = sizeof(opts),
			.map_flags = c->type == BPF_MAP_TYPE_LPM_TRIE ? BPF_F_NO_PREALLOC : 0,
		};
		uint64_t value[NR_CPUS], expect[NR_CPUS];
		struct share_arg arg = { .c = c };
		struct bpfvm_map_info info;
		struct bpfvm_map *map;
		uint8_t key[8];
		int rc;

		rc = bpfvm_map_create(vm, c->type, c->name, c->key_size, c->value_size, 16, &opts,
				      &map);
		testlib_check(test, rc == 0, "%s: create: %d %s", c->name, rc, bpfvm_errmsg());
		if (rc)
			continue;
		rc = bpfvm_map_pin(map, c->name);
		testlib_check(test, rc == 0, "%s: pin: %d %s", c->name, rc, bpfvm_errmsg());
		bpfvm_map_get_info(map, &info);
		arg.id = info.id;
		rc = ns_test_in_child(child_writes, root, &arg);
		testlib_check(test, rc == 0, "%s: the writing child failed at step %d", c->name, rc);
		case_key(c, 1, key);
		case_value(c, 0x1001, expect);
		rc = bpfvm_map_lookup(map, c->keyless ? NULL : key, value);
		testlib_check(test, rc == 0 && !memcmp(value, expect, c->percpu ? sizeof(value) : 8),
			      "%s: the child's write is not seen: %d", c->name, rc);
		case_key(c, 2, key);
		case_value(c, 0x2002, value);
		bpfvm_map_update(map, c->keyless ? NULL : key, value, BPF_ANY);
		/* A stack's top is the parent's push; a queue's head the child's. */
		arg.expect = c->type == BPF_MAP_TYPE_QUEUE ? 0x1001 : 0x2002;
		rc = ns_test_in_child(child_reads_by_id, root, &arg);
		testlib_check(test, rc == 0, "%s: the reading child failed at step %d", c->name, rc);
		bpfvm_obj_unpin(vm, c->name);
		bpfvm_map_close(map);
	}
	bpfvm_destroy(vm);
}

static int child_creates_and_pins(const char *root, void *arg)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_map_info info;
	struct bpfvm_map *map;

	if (bpfvm_map_create(vm, BPF_MAP_TYPE_HASH, "child_map", 4, 4, 8, NULL, &map) ||
	    bpfvm_map_pin(map, "child_map"))
		return 100;
	bpfvm_map_get_info(map, &info);
	return (int)info.id; /* the process dies with it open: the pin keeps it */
}

static int child_creates_unpinned(const char *root, void *arg)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_map *map;

	if (bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY, "orphan", 4, 4, 8, NULL, &map))
		return 100;
	_exit(0); /* as if killed: nothing closed */
}

static void ids_are_unique_and_a_pin_outlives_its_process(const char *root)
{
	const char *test = "ids_are_unique_and_a_pin_outlives_its_process";
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_map *mine, *theirs;
	struct bpfvm_map_info info;
	char file[PATH_MAX];
	int child_id;

	bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY, "mine", 4, 4, 8, NULL, &mine);
	bpfvm_map_get_info(mine, &info);
	child_id = ns_test_in_child(child_creates_and_pins, root, NULL);
	testlib_check(test, child_id > 0 && child_id < 100 && (uint32_t)child_id != info.id,
		      "the child's id %d must differ from ours %u", child_id, info.id);
	testlib_check(test, ns_test_count_named(vm, "child_map") == 1,
		      "the pinned map of a dead process is listed once");
	testlib_check(test, bpfvm_map_get_by_id(vm, (uint32_t)child_id, &theirs) == 0,
		      "the dead process's pinned map opens by id: %s", bpfvm_errmsg());
	bpfvm_map_close(theirs);
	snprintf(file, sizeof(file), "%s/.bpfvm/maps/%d", root, child_id);
	testlib_check(test, bpfvm_obj_unpin(vm, "child_map") == 0, "unpin: %s", bpfvm_errmsg());
	testlib_check(test, !ns_test_exists(file) && ns_test_count_named(vm, "child_map") == 0,
		      "unpinned and open nowhere: the map's file and record are gone");
	/* A map of a process that died without closing it, never pinned. */
	testlib_check(test, ns_test_in_child(child_creates_unpinned, root, NULL) == 0,
		      "the child made its map");
	testlib_check(test, ns_test_count_named(vm, "orphan") == 0,
		      "a dead process's unpinned map is swept from the list");
	testlib_check(test, ns_test_count_named(vm, "mine") == 1, "a live map is listed");
	bpfvm_map_close(mine);
	testlib_check(test, ns_test_count_named(vm, "mine") == 0, "a closed map is gone");
	bpfvm_destroy(vm);
}

static void pin_and_get_errors_are_bpf_obj_pins(const char *root)
{
	const char *test = "pin_and_get_errors_are_bpf_obj_pins";
	struct bpfvm *vm = ns_test_vm(root), *plain;
	struct bpfvm_map *map, *got, *progs;
	char path[PATH_MAX];
	int rc;

	bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY, "pinned", 4, 4, 8, NULL, &map);
	testlib_check(test, bpfvm_map_pin(map, "pinned") == 0, "pin: %s", bpfvm_errmsg());
	testlib_check(test, bpfvm_map_pin(map, "pinned") == -EEXIST, "second pin: EEXIST");
	testlib_check(test, bpfvm_map_pin(map, "no/such/dir/p") == -ENOENT,
		      "pin in a missing directory: ENOENT");
	testlib_check(test, bpfvm_map_pin(map, "/tmp/outside") == -EPERM,
		      "pin outside the root: EPERM");
	snprintf(path, sizeof(path), "%s/sub", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sub/deep", root);
	testlib_check(test, bpfvm_map_pin(map, path) == 0, "pin by absolute path in a subdir");
	rc = bpfvm_map_get_by_pin(vm, "sub/deep", NULL, &got);
	testlib_check(test, rc == 0 && got == map, "get by pin gives the process's handle: %d", rc);
	bpfvm_map_close(got);
	testlib_check(test, bpfvm_map_get_by_pin(vm, "missing", NULL, &got) == -ENOENT,
		      "get of a missing pin: ENOENT");
	testlib_check(test, bpfvm_obj_unpin(vm, "missing") == -ENOENT, "unpin missing: ENOENT");
	snprintf(path, sizeof(path), "%s/not_a_map", root);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	testlib_check(test, bpfvm_map_get_by_pin(vm, "not_a_map", NULL, &got) == -EINVAL,
		      "get of a file that is no map: EINVAL");
	testlib_check(test, bpfvm_obj_unpin(vm, "not_a_map") == -EINVAL,
		      "unpin of a file that is no map: EINVAL");
	rc = bpfvm_map_create(vm, BPF_MAP_TYPE_RINGBUF, "ring", 0, 0, 4096, NULL, &progs);
	rc = rc ? rc : bpfvm_map_pin(progs, "ring");
	testlib_check(test, rc == 0, "a ring buffer pins (tests/ns/test_ns_ringbuf.c: shared): "
		      "%d '%s'", rc, bpfvm_errmsg());
	bpfvm_obj_unpin(vm, "ring");
	bpfvm_map_close(progs);
	rc = bpfvm_map_create(vm, BPF_MAP_TYPE_LRU_HASH, "lru", 4, 4, 4, NULL, &progs);
	rc = rc ? rc : bpfvm_map_pin(progs, "lru");
	testlib_check(test, rc == 0, "an LRU hash pins (tests/stress: shared, killed writers): "
		      "%d '%s'", rc, bpfvm_errmsg());
	bpfvm_obj_unpin(vm, "lru");
	bpfvm_map_close(progs);
	bpfvm_create(NULL, &plain);
	bpfvm_map_create(plain, BPF_MAP_TYPE_ARRAY, "private", 4, 4, 8, NULL, &got);
	testlib_check(test, bpfvm_map_pin(got, "private") == -EOPNOTSUPP,
		      "a runtime without namespace cannot pin");
	bpfvm_map_close(got);
	bpfvm_destroy(plain);
	bpfvm_obj_unpin(vm, "pinned");
	bpfvm_obj_unpin(vm, "sub/deep");
	bpfvm_map_close(map);
	bpfvm_destroy(vm);
}

static int child_reads_only(const char *root, void *arg)
{
	struct bpfvm *vm;
	struct bpfvm_map *map;
	uint32_t key = 0, value = 0;
	int rc;

	if (setgid(65534) || setuid(65534))
		return 1;
	vm = ns_test_vm(root);
	rc = bpfvm_map_get_by_pin(vm, "ro", NULL, &map);
	if (rc)
		return 2;
	if (bpfvm_map_lookup(map, &key, &value) || value != 42)
		return 3;
	if (bpfvm_map_update(map, &key, &value, BPF_ANY) != -EPERM)
		return 4;
	/* A queue's lookups take the lock in its file: refused read-only. */
	if (bpfvm_map_get_by_pin(vm, "ro_queue", NULL, &map) != -EACCES)
		return 5;
	/* A file without read permission for others. */
	if (bpfvm_map_get_by_pin(vm, "private", NULL, &map) != -EACCES)
		return 6;
	/* The registry is read-only to this user: it cannot make maps. */
	if (bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY, "x", 4, 4, 1, NULL, &map) != -EACCES)
		return 7;
	return 0;
}

static void read_only_opens_refuse_updates_and_modes_are_followed(const char *root)
{
	const char *test = "read_only_opens_refuse_updates_and_modes_are_followed";
	struct bpfvm_obj_get_opts ro = { .sz = sizeof(ro), .file_flags = BPF_F_RDONLY };
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_map *map, *queue, *private, *view;
	uint32_t key = 0, value = 42;
	char path[PATH_MAX];
	int rc;

	bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY, "ro", 4, 4, 1, NULL, &map);
	bpfvm_map_update(map, &key, &value, BPF_ANY);
	bpfvm_map_pin(map, "ro");
	rc = bpfvm_map_get_by_pin(vm, "ro", &ro, &view);
	testlib_check(test, rc == 0 && view != map, "BPF_F_RDONLY open: a separate handle");
	value = 0;
	testlib_check(test, rc == 0 && bpfvm_map_lookup(view, &key, &value) == 0 && value == 42,
		      "a read-only handle reads");
	testlib_check(test, rc == 0 && bpfvm_map_update(view, &key, &value, BPF_ANY) == -EPERM &&
			    strstr(bpfvm_errmsg(), "read-only"),
		      "a read-only handle refuses updates with EPERM: '%s'", bpfvm_errmsg());
	bpfvm_map_close(view);
	testlib_check(test, bpfvm_map_update(map, &key, &value, BPF_ANY) == 0,
		      "the writable handle still writes");
	bpfvm_map_create(vm, BPF_MAP_TYPE_QUEUE, "ro_queue", 0, 4, 1, NULL, &queue);
	bpfvm_map_pin(queue, "ro_queue");
	bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY, "private", 4, 4, 1, NULL, &private);
	bpfvm_map_pin(private, "private");
	snprintf(path, sizeof(path), "%s/ro", root);
	chmod(path, 0644);
	snprintf(path, sizeof(path), "%s/ro_queue", root);
	chmod(path, 0644);
	if (geteuid() == 0) {
		rc = ns_test_in_child(child_reads_only, root, NULL);
		testlib_check(test, rc == 0, "another user's view failed at step %d", rc);
	} else {
		printf("SKIP %s: another user's view needs root to change user\n", test);
	}
	bpfvm_obj_unpin(vm, "ro");
	bpfvm_obj_unpin(vm, "ro_queue");
	bpfvm_obj_unpin(vm, "private");
	bpfvm_map_close(map);
	bpfvm_map_close(queue);
	bpfvm_map_close(private);
	bpfvm_destroy(vm);
}

static void corrupt_or_truncated_files_are_refused(const char *root)
{
	const char *test = "corrupt_or_truncated_files_are_refused";
	struct bpfvm *vm = ns_test_vm(root), *other;
	struct bpfvm_map *map, *got;
	char path[PATH_MAX];
	struct stat st;
	uint64_t bad = 0x1122334455667788ull;
	int fd, rc;

	bpfvm_map_create(vm, BPF_MAP_TYPE_HASH, "victim", 4, 8, 64, NULL, &map);
	bpfvm_map_pin(map, "victim");
	bpfvm_map_close(map); /* the pin keeps it */
	bpfvm_destroy(vm);
	snprintf(path, sizeof(path), "%s/victim", root);
	stat(path, &st);
	truncate(path, st.st_size / 2);
	other = ns_test_vm(root);
	rc = bpfvm_map_get_by_pin(other, "victim", NULL, &got);
	testlib_check(test, rc == -EINVAL && strstr(bpfvm_errmsg(), "truncated"),
		      "a truncated map file is refused: %d '%s'", rc, bpfvm_errmsg());
	truncate(path, st.st_size);
	fd = open(path, O_WRONLY);
	pwrite(fd, &bad, sizeof(bad), 0);
	close(fd);
	rc = bpfvm_map_get_by_pin(other, "victim", NULL, &got);
	testlib_check(test, rc == -EINVAL && strstr(bpfvm_errmsg(), "magic"),
		      "a map file with a bad magic is refused: %d '%s'", rc, bpfvm_errmsg());
	bpfvm_obj_unpin(other, "victim");
	bpfvm_destroy(other);
}

static void a_namespace_keeps_its_cpu_count(const char *root)
{
	const char *test = "a_namespace_keeps_its_cpu_count";
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = 3, .ns_root = root };
	struct bpfvm *vm = ns_test_vm(root), *other = NULL;
	int rc;

	rc = bpfvm_create(&opts, &other);
	testlib_check(test, rc == -EINVAL, "3 CPUs in a 2-CPU namespace: EINVAL (%d)", rc);
	opts.nr_cpus = 0;
	rc = bpfvm_create(&opts, &other);
	testlib_check(test, rc == 0 && bpfvm_nr_cpus(other) == NR_CPUS,
		      "nr_cpus 0 takes the namespace's");
	testlib_check(test, rc == 0 && strcmp(bpfvm_ns_root(other), root) == 0,
		      "bpfvm_ns_root names the root");
	bpfvm_destroy(other);
	bpfvm_destroy(vm);
}

/* Writes `version` into the registry's header (after its 8-byte magic). */
static void set_registry_version(const char *root, uint32_t version)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/.bpfvm/registry", root);
	fd = open(path, O_WRONLY);
	if (fd < 0 || pwrite(fd, &version, sizeof(version), 8) != sizeof(version))
		testlib_check("set_registry_version", false, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* A namespace left by another bpfvm version is refused while a pin or a
 * process could still reach what it holds, and formatted anew (its
 * garbage removed) once nothing can. */
static void a_namespace_of_another_version_is_formatted_anew_only_when_unused(const char *root)
{
	const char *test = "a_namespace_of_another_version_is_formatted_anew_only_when_unused";
	struct bpfvm_opts opts = { .sz = sizeof(opts), .ns_root = root };
	struct bpfvm *vm = ns_test_vm(root), *other = NULL;
	struct bpfvm_map *map = NULL, *kept = NULL;
	int rc;

	bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY, "old", 4, 8, 4, NULL, &map);
	bpfvm_map_pin(map, "old");
	bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY, "garbage", 4, 8, 4, NULL, &kept);
	set_registry_version(root, 1);
	rc = bpfvm_create(&opts, &other);
	testlib_check(test, rc == -EINVAL && strstr(bpfvm_errmsg(), "version"),
		      "with a pin: refused (%d '%s')", rc, bpfvm_errmsg());
	bpfvm_obj_unpin(vm, "old");
	bpfvm_map_close(map);
	rc = bpfvm_create(&opts, &other);
	testlib_check(test, rc == -EINVAL, "a process maps an object: refused (%d)", rc);
	bpfvm_map_close(kept);
	bpfvm_destroy(vm);
	rc = bpfvm_create(&opts, &other);
	testlib_check(test, rc == 0, "unused: formatted anew (%d '%s')", rc,
		      rc ? bpfvm_errmsg() : "");
	testlib_check(test, rc == 0 && ns_test_count_named(other, "garbage") == 0,
		      "the old objects are gone");
	rc = other ? bpfvm_map_create(other, BPF_MAP_TYPE_ARRAY, "new", 4, 8, 4, NULL, &map) : -1;
	testlib_check(test, rc == 0, "and the namespace works (%d)", rc);
	if (rc == 0)
		bpfvm_map_close(map);
	bpfvm_destroy(other);
}

int main(void)
{
	void (*tests[])(const char *root) = {
		every_shareable_type_is_seen_the_same_by_two_processes,
		ids_are_unique_and_a_pin_outlives_its_process,
		pin_and_get_errors_are_bpf_obj_pins,
		read_only_opens_refuse_updates_and_modes_are_followed,
		corrupt_or_truncated_files_are_refused,
		a_namespace_keeps_its_cpu_count,
		a_namespace_of_another_version_is_formatted_anew_only_when_unused,
	};
	char root[PATH_MAX];

	alarm(120);
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		ns_test_root_make(root, sizeof(root));
		tests[i](root);
		ns_test_root_remove(root);
	}
	return testlib_summary();
}
