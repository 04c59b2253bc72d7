/* A process killed (kill -9) in the middle of an update of a shared map
 * never leaves a map that others cannot use (docs/namespace.md): the
 * robust lock it held is recovered, and the family repairs what the dead
 * writer left half done. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "maps/hash.h"
#include "ns/ns_testlib.h"
#include "testlib.h"

static int ready_pipe[2];

/* Holds every bucket lock of the map, with the element of key 1 in the
 * middle of a rewrite (odd sequence count, half its value written), and
 * waits to be killed. */
static int child_dies_mid_update(const char *root, void *arg)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_map *map;
	struct hash_table *table;
	struct hash_elem *elem;
	uint32_t key = 1;

	if (bpfvm_map_get_by_pin(vm, "hash", NULL, &map))
		return 1;
	table = hash_table(map);
	elem = hash_find(map, &key);
	if (!elem)
		return 2;
	for (uint32_t i = 0; i < table->n_buckets; i++) {
		struct hash_bucket *bucket =
			(struct hash_bucket *)map_at(map, table->buckets_off) + i;

		map_lock_acquire(&bucket->lock);
	}
	atomic_fetch_add(&elem->seq, 1);
	memset(hash_elem_value(table, elem, 0), 0xee, 4);
	if (write(ready_pipe[1], "x", 1) != 1)
		return 3;
	for (;;)
		pause();
}

static void a_dead_bucket_lock_holder_mid_write_leaves_a_usable_hash(const char *root)
{
	const char *test = "a_dead_bucket_lock_holder_mid_write_leaves_a_usable_hash";
	struct bpfvm *vm = ns_test_vm(root);
	uint64_t value, count = 0;
	struct bpfvm_map *map;
	uint32_t key, next;
	pid_t pid;
	char c;

	bpfvm_map_create(vm, BPF_MAP_TYPE_HASH, "hash", 4, 8, 4, NULL, &map);
	bpfvm_map_pin(map, "hash");
	for (key = 0; key < 4; key++) {
		value = 100 + key;
		bpfvm_map_update(map, &key, &value, BPF_ANY);
	}
	pid = fork();
	if (pid == 0)
		_exit(child_dies_mid_update(root, NULL));
	testlib_check(test, read(ready_pipe[0], &c, 1) == 1, "the child holds the locks");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* Would wait forever on the odd sequence count without the repair. */
	key = 1;
	testlib_check(test, bpfvm_map_lookup(map, &key, &value) == 0,
		      "the half-written element is readable");
	value = 7;
	testlib_check(test, bpfvm_map_update(map, &key, &value, BPF_EXIST) == 0,
		      "the half-written element is rewritten: %s", bpfvm_errmsg());
	value = 0;
	testlib_check(test, bpfvm_map_lookup(map, &key, &value) == 0 && value == 7,
		      "and reads back %llu", (unsigned long long)value);
	for (int rc = bpfvm_map_get_next_key(map, NULL, &next); rc == 0 && count < 100;
	     rc = bpfvm_map_get_next_key(map, &next, &next))
		count++;
	testlib_check(test, count == 4, "4 keys iterated, not %llu", (unsigned long long)count);
	for (key = 0; key < 4; key++)
		testlib_check(test, bpfvm_map_delete(map, &key) == 0, "delete %u", key);
	for (key = 10; key < 14; key++)
		testlib_check(test, bpfvm_map_update(map, &key, &value, BPF_NOEXIST) == 0,
			      "refill key %u: %s", key, bpfvm_errmsg());
	bpfvm_obj_unpin(vm, "hash");
	bpfvm_map_close(map);
	bpfvm_destroy(vm);
}

/* ---- A kill storm against every shareable type ------------------------ */

struct storm_case {
	const char *name;
	enum bpf_map_type type;
	uint32_t key_size;
	uint32_t map_flags;
	bool keyless;
};

static const struct storm_case storm_cases[] = {
	{ "hash", BPF_MAP_TYPE_HASH, 4, 0, false },
	{ "percpu_hash", BPF_MAP_TYPE_PERCPU_HASH, 4, 0, false },
	{ "lru_hash", BPF_MAP_TYPE_LRU_HASH, 4, 0, false },
	{ "lru_percpu_hash", BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, BPF_F_NO_COMMON_LRU, false },
	{ "array", BPF_MAP_TYPE_ARRAY, 4, 0, false },
	{ "lpm_trie", BPF_MAP_TYPE_LPM_TRIE, 8, BPF_F_NO_PREALLOC, false },
	{ "queue", BPF_MAP_TYPE_QUEUE, 0, 0, true },
	{ "stack", BPF_MAP_TYPE_STACK, 0, 0, true },
};

#define STORM_ENTRIES 16u
#define STORM_VALUES 2u /* nr_cpus: per-CPU values */

static void storm_key(const struct storm_case *c, uint32_t n, uint8_t key[8])
{
	uint32_t prefixlen = 32;

	memset(key, 0, 8);
	if (c->type == BPF_MAP_TYPE_LPM_TRIE) {
		memcpy(key, &prefixlen, 4);
		key[7] = (uint8_t)n;
	} else {
		memcpy(key, &n, 4);
	}
}

/* Updates and deletes (pushes and pops) as fast as it can until killed. */
static int storm_writer(const char *root, void *arg)
{
	const struct storm_case *c = arg;
	struct bpfvm *vm = ns_test_vm(root);
	uint64_t value[STORM_VALUES] = { 1, 2 };
	struct bpfvm_map *map;
	uint8_t key[8];

	if (bpfvm_map_get_by_pin(vm, c->name, NULL, &map))
		return 1;
	if (write(ready_pipe[1], "x", 1) != 1)
		return 2;
	for (uint32_t i = 0;; i++) {
		storm_key(c, i % (STORM_ENTRIES + 4), key);
		value[0] = i;
		if (c->keyless) {
			bpfvm_map_update(map, NULL, value, BPF_ANY);
			if (i & 1)
				bpfvm_map_lookup_and_delete(map, NULL, value);
		} else {
			bpfvm_map_update(map, key, value, BPF_ANY);
			if (i % 3 == 0)
				bpfvm_map_delete(map, key);
		}
	}
}

/* Every operation works and the map holds what its size allows. */
static void storm_check(const char *test, const struct storm_case *c, struct bpfvm_map *map)
{
	uint64_t value[STORM_VALUES] = { 5, 5 };
	uint32_t count = 0, filled = 0;
	uint8_t key[8], next[8];
	int rc;

	if (c->keyless) {
		while (bpfvm_map_lookup_and_delete(map, NULL, value) == 0 && count < 100)
			count++;
		for (uint32_t i = 0; i < STORM_ENTRIES; i++)
			filled += bpfvm_map_update(map, NULL, value, BPF_ANY) == 0;
		testlib_check(test, count <= STORM_ENTRIES && filled == STORM_ENTRIES,
			      "%s: drained %u, refilled %u of %u", c->name, count, filled,
			      STORM_ENTRIES);
		return;
	}
	for (rc = bpfvm_map_get_next_key(map, NULL, next); rc == 0 && count < 1000;
	     rc = bpfvm_map_get_next_key(map, next, next))
		count++;
	testlib_check(test, count <= STORM_ENTRIES, "%s: %u keys iterated", c->name, count);
	for (uint32_t i = 0; i < STORM_ENTRIES + 4; i++) {
		storm_key(c, i, key);
		if (c->type != BPF_MAP_TYPE_ARRAY)
			bpfvm_map_delete(map, key);
	}
	for (uint32_t i = 0; i < STORM_ENTRIES; i++) {
		storm_key(c, i, key);
		filled += bpfvm_map_update(map, key, value, BPF_NOEXIST) == 0 ||
			  c->type == BPF_MAP_TYPE_ARRAY;
		rc = bpfvm_map_lookup(map, key, value);
		testlib_check(test, rc == 0, "%s: key %u reads back after the storm", c->name, i);
	}
	testlib_check(test, filled == STORM_ENTRIES, "%s: refilled %u of %u entries", c->name,
		      filled, STORM_ENTRIES);
}

static void kill_storm_leaves_every_type_usable(const char *root)
{
	const char *test = "kill_storm_leaves_every_type_usable";
	struct bpfvm *vm = ns_test_vm(root);

	srand((unsigned)time(NULL));
	for (size_t i = 0; i < sizeof(storm_cases) / sizeof(storm_cases[0]); i++) {
		const struct storm_case *c = &storm_cases[i];
		struct bpfvm_map_create_opts opts = { .sz = sizeof(opts), .map_flags = c->map_flags };
		struct bpfvm_map *map;
		int rc;

		if (getenv("NS_STORM_ONLY") && strcmp(getenv("NS_STORM_ONLY"), c->name))
			continue;
		rc = bpfvm_map_create(vm, c->type, c->name, c->key_size, 8, STORM_ENTRIES, &opts,
				      &map);

		testlib_check(test, rc == 0, "%s: create %d %s", c->name, rc, bpfvm_errmsg());
		if (rc)
			continue;
		bpfvm_map_pin(map, c->name);
		for (int round = 0; round < 12; round++) {
			pid_t pid = fork();
			char ch;

			if (pid == 0)
				_exit(storm_writer(root, (void *)c));
			if (read(ready_pipe[0], &ch, 1) != 1)
				break;
			usleep(200 + (useconds_t)(rand() % 3000));
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		storm_check(test, c, map);
		bpfvm_obj_unpin(vm, c->name);
		bpfvm_map_close(map);
	}
	bpfvm_destroy(vm);
}

int main(void)
{
	char root[PATH_MAX];

	alarm(120);
	if (pipe(ready_pipe))
		return 1;
	ns_test_root_make(root, sizeof(root));
	a_dead_bucket_lock_holder_mid_write_leaves_a_usable_hash(root);
	ns_test_root_remove(root);
	ns_test_root_make(root, sizeof(root));
	kill_storm_leaves_every_type_usable(root);
	ns_test_root_remove(root);
	return testlib_summary();
}
