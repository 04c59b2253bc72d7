/* LRU_HASH and LRU_PERCPU_HASH: never over capacity, evict the least
 * recently used unreferenced keys in the kernel's order
 * (kernel/bpf/bpf_lru_list.c), keep keys a program looked up. Program-side
 * updates name their CPU, so the runs are deterministic. */
#include "hash_test_util.h"

static bool has_key(struct bpfvm_map *map, uint32_t key)
{
	uint8_t value[256];

	return hash_test_lookup(map, &key, value) == 0;
}

static void insert(struct bpfvm_map *map, uint32_t first, uint32_t last, uint32_t cpu)
{
	uint64_t value[8] = {0};

	for (uint32_t key = first; key <= last; key++) {
		value[0] = key;
		if (map->ops->bpf_update(map, &key, value, BPF_ANY, cpu))
			testlib_check("lru_insert", false, "key %u failed", key);
	}
}

/* Keys first..last present (want) or absent (!want). */
static bool keys_are(struct bpfvm_map *map, uint32_t first, uint32_t last, bool want)
{
	for (uint32_t key = first; key <= last; key++)
		if (has_key(map, key) != want)
			return false;
	return true;
}

/* One CPU, max_entries 8: target_free = 4. Inserting 9..12 into a full map
 * evicts the four oldest keys. */
static void test_evicts_oldest(uint32_t type)
{
	struct bpfvm *vm = hash_test_vm(1);
	struct bpfvm_map *map = hash_test_map(vm, type, 4, 8, 8, 0);

	insert(map, 1, 8, 0);
	testlib_check("lru_fills_to_max_entries", keys_are(map, 1, 8, true), "missing keys");
	insert(map, 9, 12, 0);
	testlib_check("lru_full_map_evicts_oldest", keys_are(map, 1, 4, false),
		      "old keys survived");
	testlib_check("lru_new_and_recent_keys_stay", keys_are(map, 5, 12, true), "keys missing");
	testlib_check("lru_never_over_capacity", hash_test_count(map, 100) <= 8, "count %u",
		      hash_test_count(map, 100));
	bpfvm_map_close(map);
	bpfvm_destroy(vm);
}

/* A program's lookup sets the ref bit: referenced keys move to the active
 * list and the unreferenced ones are evicted instead. A user-space lookup
 * does not count (the kernel's lookup_elem_sys_only). */
static void test_referenced_keys_survive(uint32_t type)
{
	struct bpfvm *vm = hash_test_vm(1);
	struct bpfvm_map *map = hash_test_map(vm, type, 4, 8, 8, 0);

	insert(map, 1, 8, 0);
	for (uint32_t key = 1; key <= 4; key++)
		map->ops->bpf_lookup(map, &key, 0);
	for (uint32_t key = 5; key <= 8; key++)
		has_key(map, key); /* user-space: no ref bit */
	insert(map, 9, 12, 0);
	testlib_check("lru_program_lookup_keeps_key", keys_are(map, 1, 4, true),
		      "referenced keys evicted");
	testlib_check("lru_user_lookup_does_not_keep_key", keys_are(map, 5, 8, false),
		      "unreferenced keys kept");
	testlib_check("lru_referenced_new_keys_present", keys_are(map, 9, 12, true),
		      "new keys missing");
	bpfvm_map_close(map);
	bpfvm_destroy(vm);
}

/* The kernel takes the new element before checking the flags: a refused
 * BPF_NOEXIST still costs an eviction when the map is full. */
static void test_noexist_on_full_map_evicts(void)
{
	struct bpfvm *vm = hash_test_vm(1);
	struct bpfvm_map *map = hash_test_map(vm, BPF_MAP_TYPE_LRU_HASH, 4, 8, 2, 0);
	uint64_t value = 0;
	uint32_t key = 1;
	int err;

	insert(map, 1, 2, 0);
	key = 2; /* the newest: the eviction takes key 1 */
	err = map->ops->bpf_update(map, &key, &value, BPF_NOEXIST, 0);
	testlib_check("lru_noexist_existing_key_eexist", err == -EEXIST, "got %d", err);
	testlib_check("lru_refused_update_still_evicted", hash_test_count(map, 10) == 1,
		      "count %u", hash_test_count(map, 10));
	key = 9;
	err = map->ops->bpf_update(map, &key, &value, BPF_EXIST, 0);
	testlib_check("lru_exist_missing_key_enoent", err == -ENOENT, "got %d", err);
	err = map->ops->bpf_update(map, &key, &value, BPF_F_LOCK, 0);
	testlib_check("lru_f_lock_einval", err == -EINVAL, "got %d", err);
	bpfvm_map_close(map);
	bpfvm_destroy(vm);
}

/* BPF_F_NO_COMMON_LRU: max_entries rounds up to a multiple of nr_cpus and
 * each CPU's list holds max_entries / nr_cpus elements; a CPU evicts only
 * from its own list, up to 4 unreferenced elements at a time
 * (PERCPU_FREE_TARGET). */
static void test_percpu_lists(uint32_t type)
{
	struct bpfvm *vm = hash_test_vm(2);
	struct bpfvm_map *map = hash_test_map(vm, type, 4, 8, 7, BPF_F_NO_COMMON_LRU);

	testlib_check("lru_no_common_rounds_max_entries_to_cpus", map_max_entries(map) == 8,
		      "max_entries %u", map_max_entries(map));
	insert(map, 100, 103, 1);  /* CPU 1's list: full */
	insert(map, 1, 6, 0);	   /* CPU 0's list: 4 slots; key 5 evicts 1..4 */
	testlib_check("lru_no_common_evicts_from_own_cpu_list", keys_are(map, 100, 103, true),
		      "another CPU's keys were evicted");
	testlib_check("lru_no_common_shrinks_four_oldest_of_cpu", keys_are(map, 1, 4, false) &&
		      keys_are(map, 5, 6, true), "wrong keys on CPU 0");
	testlib_check("lru_no_common_count_after_shrink", hash_test_count(map, 100) == 6,
		      "count %u", hash_test_count(map, 100));
	bpfvm_map_close(map);
	bpfvm_destroy(vm);
}

/* Steady churn far beyond capacity: never more than max_entries keys, the
 * most recent key always present, deletes give elements back. */
static void test_churn(uint32_t type, uint32_t flags, uint32_t cpus)
{
	struct bpfvm *vm = hash_test_vm(cpus);
	struct bpfvm_map *map = hash_test_map(vm, type, 4, 16, 64, flags);
	uint32_t max = map_max_entries(map);
	uint64_t value[2] = {0};
	bool ok = true;

	for (uint32_t key = 0; key < 5000 && ok; key++) {
		value[0] = key;
		ok = map->ops->bpf_update(map, &key, value, BPF_ANY, key % cpus) == 0 &&
		     map->ops->bpf_lookup(map, &key, 0) != NULL;
		if (key % 97 == 0)
			ok = ok && hash_test_count(map, 1000) <= max;
		if (key % 5 == 0)
			ok = ok && map->ops->bpf_delete(map, &key, 0) == 0;
	}
	testlib_check("lru_churn_never_over_capacity_and_keeps_newest", ok, "type %u flags %u",
		      type, flags);
	bpfvm_map_close(map);
	bpfvm_destroy(vm);
}

int main(void)
{
	test_evicts_oldest(BPF_MAP_TYPE_LRU_HASH);
	test_evicts_oldest(BPF_MAP_TYPE_LRU_PERCPU_HASH);
	test_referenced_keys_survive(BPF_MAP_TYPE_LRU_HASH);
	test_referenced_keys_survive(BPF_MAP_TYPE_LRU_PERCPU_HASH);
	test_noexist_on_full_map_evicts();
	test_percpu_lists(BPF_MAP_TYPE_LRU_HASH);
	test_percpu_lists(BPF_MAP_TYPE_LRU_PERCPU_HASH);
	test_churn(BPF_MAP_TYPE_LRU_HASH, 0, 1);
	test_churn(BPF_MAP_TYPE_LRU_HASH, 0, 4);
	test_churn(BPF_MAP_TYPE_LRU_PERCPU_HASH, 0, 4);
	test_churn(BPF_MAP_TYPE_LRU_HASH, BPF_F_NO_COMMON_LRU, 4);
	test_churn(BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_F_NO_COMMON_LRU, 2);
	return testlib_summary();
}
