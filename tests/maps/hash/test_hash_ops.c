/* HASH and PERCPU_HASH: creation limits, update flags, full maps, lookups,
 * deletes, get_next_key, per-CPU layouts and the program-side ops, each
 * with the kernel's errno (kernel/bpf/hashtab.c) and a message. */
#include "hash_test_util.h"

static struct bpfvm *vm;

static void expect_create(const char *test, uint32_t type, uint32_t key_size,
			  uint32_t value_size, uint32_t max_entries, uint32_t flags, int expect)
{
	struct bpfvm_map *map;
	int err = hash_test_create(vm, type, key_size, value_size, max_entries, flags, NULL, &map);

	testlib_check(test, err == expect, "got %d, expected %d (%s)", err, expect, bpfvm_errmsg());
	if (expect)
		testlib_check(test, strstr(bpfvm_errmsg(), "hash_test") != NULL,
			      "message names the map: '%s'", bpfvm_errmsg());
	if (!err)
		bpfvm_map_close(map);
}

static void test_creation_limits(void)
{
	expect_create("create_hash_ok", BPF_MAP_TYPE_HASH, 4, 8, 16, 0, 0);
	expect_create("create_no_prealloc_hash_ok", BPF_MAP_TYPE_HASH, 4, 8, 16,
		      BPF_F_NO_PREALLOC, 0);
	expect_create("create_no_prealloc_percpu_hash_ok", BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 16,
		      BPF_F_NO_PREALLOC, 0);
	expect_create("create_zero_max_entries_einval", BPF_MAP_TYPE_HASH, 4, 8, 0, 0, -EINVAL);
	expect_create("create_zero_key_size_einval", BPF_MAP_TYPE_HASH, 0, 8, 16, 0, -EINVAL);
	expect_create("create_zero_value_size_einval", BPF_MAP_TYPE_PERCPU_HASH, 4, 0, 16, 0,
		      -EINVAL);
	expect_create("create_unknown_flag_einval", BPF_MAP_TYPE_HASH, 4, 8, 16, BPF_F_MMAPABLE,
		      -EINVAL);
	expect_create("create_no_common_lru_on_hash_einval", BPF_MAP_TYPE_HASH, 4, 8, 16,
		      BPF_F_NO_COMMON_LRU, -EINVAL);
	expect_create("create_lru_no_prealloc_enotsupp", BPF_MAP_TYPE_LRU_HASH, 4, 8, 16,
		      BPF_F_NO_PREALLOC, -MAP_ENOTSUPP);
	expect_create("create_lru_percpu_no_prealloc_enotsupp", BPF_MAP_TYPE_LRU_PERCPU_HASH, 4,
		      8, 16, BPF_F_NO_PREALLOC, -MAP_ENOTSUPP);
	expect_create("create_numa_percpu_einval", BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 16,
		      BPF_F_NUMA_NODE, -EINVAL);
	expect_create("create_rdonly_wronly_prog_einval", BPF_MAP_TYPE_HASH, 4, 8, 16,
		      BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG, -EINVAL);
	expect_create("create_key_plus_value_4mib_e2big", BPF_MAP_TYPE_HASH, 8,
		      (4u << 20) - 48 - 8, 1, 0, -E2BIG);
	expect_create("create_key_plus_value_below_4mib_ok", BPF_MAP_TYPE_HASH, 8,
		      (4u << 20) - 48 - 9, 1, 0, 0);
	expect_create("create_percpu_value_32k_ok", BPF_MAP_TYPE_PERCPU_HASH, 4, 32768, 1, 0, 0);
	expect_create("create_percpu_value_above_32k_e2big", BPF_MAP_TYPE_PERCPU_HASH, 4, 32769,
		      1, 0, -E2BIG);
	expect_create("create_max_entries_above_2pow27_e2big", BPF_MAP_TYPE_HASH, 4, 4,
		      (1u << 27) + 1, 0, -E2BIG);
}

static void test_map_extra_refused(void)
{
	struct bpfvm_map_create_opts opts = {.sz = sizeof(opts), .map_extra = 1};
	struct bpfvm_map *map = NULL;
	int err = bpfvm_map_create(vm, BPF_MAP_TYPE_HASH, "hash_test", 4, 4, 4, &opts, &map);

	testlib_check("create_map_extra_einval", err == -EINVAL, "got %d", err);
	bpfvm_map_close(map);
}

static void test_update_flags(void)
{
	struct bpfvm_map *map = hash_test_map(vm, BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	uint32_t key = 7;
	uint64_t value = 1, out = 0;
	int err;

	err = hash_test_update(map, &key, &value, BPF_EXIST);
	testlib_check("update_exist_on_missing_key_enoent", err == -ENOENT, "got %d", err);
	testlib_check("update_exist_message", strstr(bpfvm_errmsg(), "BPF_EXIST") != NULL, "'%s'",
		      bpfvm_errmsg());
	err = hash_test_update(map, &key, &value, BPF_NOEXIST);
	testlib_check("update_noexist_on_missing_key_inserts", err == 0, "got %d", err);
	value = 2;
	err = hash_test_update(map, &key, &value, BPF_NOEXIST);
	testlib_check("update_noexist_on_existing_key_eexist", err == -EEXIST, "got %d", err);
	err = hash_test_update(map, &key, &value, BPF_EXIST);
	testlib_check("update_exist_on_existing_key_replaces", err == 0, "got %d", err);
	hash_test_lookup(map, &key, &out);
	testlib_check("update_exist_value_visible", out == 2, "got %llu", (unsigned long long)out);
	err = hash_test_update(map, &key, &value, 3);
	testlib_check("update_unknown_flags_einval", err == -EINVAL, "got %d", err);
	err = hash_test_update(map, &key, &value, BPF_F_LOCK);
	testlib_check("update_f_lock_without_spin_lock_einval", err == -EINVAL, "got %d", err);
	err = bpfvm_map_lookup_flags(map, &key, &out, 1);
	testlib_check("lookup_unknown_flags_einval", err == -EINVAL, "got %d", err);
	err = bpfvm_map_lookup_flags(map, &key, &out, BPF_F_LOCK);
	testlib_check("lookup_f_lock_without_spin_lock_einval", err == -EINVAL, "got %d", err);
	bpfvm_map_close(map);
}

static void test_full_map(uint32_t type, uint32_t flags, const char *name)
{
	struct bpfvm_map *map = hash_test_map(vm, type, 4, 8, 4, flags);
	size_t user_size = type == BPF_MAP_TYPE_PERCPU_HASH ? 8 * bpfvm_nr_cpus(vm) : 8;
	uint64_t *value = calloc(1, user_size);
	char test[128];
	int err = 0;

	for (uint32_t key = 0; key < 4 && !err; key++)
		err = hash_test_update(map, &key, value, BPF_ANY);
	snprintf(test, sizeof(test), "%s_fills_to_max_entries", name);
	testlib_check(test, err == 0, "got %d", err);
	uint32_t extra = 4;
	err = hash_test_update(map, &extra, value, BPF_ANY);
	snprintf(test, sizeof(test), "%s_full_map_refuses_new_key_e2big", name);
	testlib_check(test, err == -E2BIG, "got %d", err);
	/* Replacing values of a full map never needs a free element: more
	 * replacements than spare elements. */
	err = 0;
	for (int round = 0; round < 64 && !err; round++) {
		uint32_t key = (uint32_t)round % 4;

		value[0] = (uint64_t)round;
		err = hash_test_update(map, &key, value, BPF_ANY);
	}
	snprintf(test, sizeof(test), "%s_full_map_replaces_values", name);
	testlib_check(test, err == 0, "got %d", err);
	err = 0;
	for (int round = 0; round < 64 && !err; round++) {
		uint32_t key = (uint32_t)round % 4;

		err = hash_test_update(map, &key, value, BPF_EXIST);
	}
	testlib_check(test, err == 0, "BPF_EXIST replacements: got %d", err);
	uint32_t gone = 2;
	hash_test_delete(map, &gone);
	err = hash_test_update(map, &extra, value, BPF_ANY);
	snprintf(test, sizeof(test), "%s_delete_makes_room", name);
	testlib_check(test, err == 0, "got %d", err);
	snprintf(test, sizeof(test), "%s_holds_max_entries", name);
	testlib_check(test, hash_test_count(map, 100) == 4, "count %u",
		      hash_test_count(map, 100));
	free(value);
	bpfvm_map_close(map);
}

static void test_missing_keys(void)
{
	struct bpfvm_map *map = hash_test_map(vm, BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	uint32_t key = 1;
	uint64_t value = 42, out = 0;
	int err;

	err = hash_test_lookup(map, &key, &out);
	testlib_check("lookup_missing_key_enoent", err == -ENOENT, "got %d", err);
	err = hash_test_delete(map, &key);
	testlib_check("delete_missing_key_enoent", err == -ENOENT, "got %d", err);
	err = bpfvm_map_lookup_and_delete(map, &key, &out);
	testlib_check("lookup_and_delete_missing_key_enoent", err == -ENOENT, "got %d", err);
	hash_test_update(map, &key, &value, BPF_ANY);
	err = bpfvm_map_lookup_and_delete(map, &key, &out);
	testlib_check("lookup_and_delete_returns_value", err == 0 && out == 42, "got %d, %llu",
		      err, (unsigned long long)out);
	err = hash_test_lookup(map, &key, &out);
	testlib_check("lookup_and_delete_removes_key", err == -ENOENT, "got %d", err);
	err = map->ops->lookup_and_delete(map, &key, &out, 2);
	testlib_check("lookup_and_delete_unknown_flags_einval", err == -EINVAL, "got %d", err);
	bpfvm_map_close(map);
}

static void test_get_next_key(void)
{
	struct bpfvm_map *map = hash_test_map(vm, BPF_MAP_TYPE_HASH, 4, 4, 64, 0);
	uint32_t key, next, missing = 1000, seen[64] = {0}, first;
	unsigned count = 0;
	int err;

	err = hash_test_next(map, NULL, &next);
	testlib_check("get_next_key_empty_map_enoent", err == -ENOENT, "got %d", err);
	for (key = 0; key < 40; key++)
		hash_test_update(map, &key, &key, BPF_ANY);
	err = hash_test_next(map, NULL, &first);
	testlib_check("get_next_key_null_gives_first", err == 0, "got %d", err);
	for (err = hash_test_next(map, NULL, &next); !err; err = hash_test_next(map, &key, &next)) {
		if (next < 64)
			seen[next]++;
		key = next;
		if (++count > 100)
			break;
	}
	testlib_check("get_next_key_walk_ends_enoent", err == -ENOENT, "got %d", err);
	bool once = count == 40;
	for (key = 0; key < 40; key++)
		once = once && seen[key] == 1;
	testlib_check("get_next_key_visits_every_key_once", once, "count %u", count);
	err = hash_test_next(map, &missing, &next);
	testlib_check("get_next_key_missing_key_gives_first", err == 0 && next == first,
		      "got %d, key %u, first %u", err, next, first);
	bpfvm_map_close(map);
}

/* User space sees round_up(value_size, 8) bytes per CPU; a program writes
 * only its CPU's value, and a new element starts at zero on the others. */
static void test_percpu_layout(void)
{
	uint32_t cpus = bpfvm_nr_cpus(vm), key = 3;
	struct bpfvm_map *map = hash_test_map(vm, BPF_MAP_TYPE_PERCPU_HASH, 4, 5, 8, 0);
	uint8_t *in = calloc(cpus, 8), *out = calloc(cpus, 8), bpf_value[5] = {9, 9, 9, 9, 9};
	bool ok = true;

	for (uint32_t cpu = 0; cpu < cpus; cpu++)
		memset(in + cpu * 8, (int)(cpu + 1), 8);
	hash_test_update(map, &key, in, BPF_ANY);
	hash_test_lookup(map, &key, out);
	testlib_check("percpu_user_value_is_nr_cpus_times_round_up_8", !memcmp(in, out, cpus * 8),
		      "values differ");
	for (uint32_t cpu = 0; cpu < cpus; cpu++) {
		uint8_t *p = map->ops->bpf_lookup_percpu(map, &key, cpu);

		ok = ok && p && p[0] == cpu + 1 && p == (uint8_t *)map->ops->bpf_lookup(map, &key, cpu);
	}
	testlib_check("percpu_bpf_lookup_gives_each_cpus_value", ok, "mismatch");
	testlib_check("percpu_lookup_percpu_cpu_out_of_range_null",
		      map->ops->bpf_lookup_percpu(map, &key, cpus) == NULL, "not NULL");
	key = 4;
	map->ops->bpf_update(map, &key, bpf_value, BPF_ANY, cpus - 1);
	hash_test_lookup(map, &key, out);
	ok = true;
	for (uint32_t cpu = 0; cpu < cpus; cpu++)
		for (int i = 0; i < 8; i++)
			ok = ok && out[cpu * 8 + i] == (cpu == cpus - 1 && i < 5 ? 9 : 0);
	testlib_check("percpu_bpf_update_new_elem_zeroes_other_cpus", ok, "layout differs");
	bpf_value[0] = 1;
	map->ops->bpf_update(map, &key, bpf_value, BPF_EXIST, 0);
	hash_test_lookup(map, &key, out);
	testlib_check("percpu_bpf_update_existing_writes_only_its_cpu",
		      out[0] == 1 && out[(cpus - 1) * 8] == (cpus == 1 ? 1 : 9), "got %u %u",
		      out[0], out[(cpus - 1) * 8]);
	memset(out, 0xff, cpus * 8);
	int err = bpfvm_map_lookup_and_delete(map, &key, out);
	testlib_check("percpu_lookup_and_delete_gives_all_cpus", err == 0 && out[0] == 1, "got %d",
		      err);
	free(in);
	free(out);
	bpfvm_map_close(map);
}

static long count_until(struct bpfvm_map *map, void *key, void *value, void *ctx)
{
	long *budget = ctx;

	return --*budget == 0;
}

static void test_program_side(void)
{
	struct bpfvm_map *map = hash_test_map(vm, BPF_MAP_TYPE_HASH, 4, 8, 16, 0);
	uint32_t key = 5;
	uint64_t value = 10, out;
	long budget;

	testlib_check("bpf_lookup_missing_null", map->ops->bpf_lookup(map, &key, 0) == NULL,
		      "not NULL");
	testlib_check("bpf_update_inserts", map->ops->bpf_update(map, &key, &value, BPF_ANY, 0) == 0,
		      "failed");
	uint64_t *p = map->ops->bpf_lookup(map, &key, 0);
	testlib_check("bpf_lookup_value_aligned_8", p && ((uintptr_t)p & 7) == 0, "%p", (void *)p);
	*p = 77;
	hash_test_lookup(map, &key, &out);
	testlib_check("bpf_lookup_pointer_writes_visible_to_user", out == 77, "got %llu",
		      (unsigned long long)out);
	testlib_check("bpf_update_noexist_eexist",
		      map->ops->bpf_update(map, &key, &value, BPF_NOEXIST, 0) == -EEXIST, "failed");
	testlib_check("bpf_delete_removes", map->ops->bpf_delete(map, &key, 0) == 0, "failed");
	testlib_check("bpf_delete_missing_enoent", map->ops->bpf_delete(map, &key, 0) == -ENOENT,
		      "failed");
	for (key = 0; key < 10; key++)
		map->ops->bpf_update(map, &key, &value, BPF_ANY, 0);
	budget = 1000;
	testlib_check("bpf_for_each_visits_all", map->ops->bpf_for_each(map, 0, count_until,
									 &budget) == 10, "failed");
	budget = 3;
	testlib_check("bpf_for_each_stops_on_nonzero_and_counts_it",
		      map->ops->bpf_for_each(map, 0, count_until, &budget) == 3, "failed");
	testlib_check("hash_has_no_lookup_percpu", map->ops->bpf_lookup_percpu == NULL, "failed");
	bpfvm_map_close(map);
}

/* With a key size that is not a multiple of 4 the byte-wise jhash is used;
 * keys that differ only in their last byte stay distinct. */
static void test_odd_key_size(void)
{
	struct bpfvm_map *map = hash_test_map(vm, BPF_MAP_TYPE_HASH, 7, 1, 300, BPF_F_ZERO_SEED);
	uint8_t key[7] = {0}, value;
	bool ok = true;

	for (int i = 0; i < 256; i++) {
		key[6] = (uint8_t)i;
		value = (uint8_t)i;
		ok = ok && hash_test_update(map, key, &value, BPF_NOEXIST) == 0;
	}
	for (int i = 0; i < 256; i++) {
		key[6] = (uint8_t)i;
		ok = ok && hash_test_lookup(map, key, &value) == 0 && value == i;
	}
	testlib_check("odd_key_size_keys_distinct", ok, "lookup mismatch");
	bpfvm_map_close(map);
}

int main(void)
{
	vm = hash_test_vm(4);
	test_creation_limits();
	test_map_extra_refused();
	test_update_flags();
	test_full_map(BPF_MAP_TYPE_HASH, 0, "hash");
	test_full_map(BPF_MAP_TYPE_HASH, BPF_F_NO_PREALLOC, "hash_no_prealloc");
	test_full_map(BPF_MAP_TYPE_PERCPU_HASH, 0, "percpu_hash");
	test_missing_keys();
	test_get_next_key();
	test_percpu_layout();
	test_program_side();
	test_odd_key_size();
	bpfvm_destroy(vm);
	return testlib_summary();
}
