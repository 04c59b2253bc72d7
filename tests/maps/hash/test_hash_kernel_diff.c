/* Differential test against the running kernel: the same creation attributes
 * and the same sequence of user-space operations on a kernel map (libbpf's
 * bpf_map_* wrappers of bpf(2)) and on a bpfvm map give the same errno, the
 * same values, the same get_next_key order (BPF_F_ZERO_SEED: same jhash,
 * same buckets) and the same final contents, LRU evictions included (the
 * thread is pinned to CPU 0 so both use CPU 0's LRU lists).
 * Exits 77 (skipped) when bpf() is not usable. */
#define _GNU_SOURCE
#include <sched.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "hash_test_util.h"

static struct bpfvm *vm;
static uint32_t nr_cpus;

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rng(uint32_t bound)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % bound);
}

static int kernel_create(uint32_t type, uint32_t key_size, uint32_t value_size,
			 uint32_t max_entries, uint32_t flags, int inner_fd)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = flags, .inner_map_fd = (uint32_t)inner_fd);
	int fd = bpf_map_create(type, "hash_test", key_size, value_size, max_entries, &opts);

	return fd < 0 ? -errno : fd;
}

struct create_case {
	const char *name;
	uint32_t type, key_size, value_size, max_entries, flags;
};

static const struct create_case create_cases[] = {
	{"hash", BPF_MAP_TYPE_HASH, 4, 8, 16, 0},
	{"hash_no_prealloc", BPF_MAP_TYPE_HASH, 4, 8, 16, BPF_F_NO_PREALLOC},
	{"percpu_no_prealloc", BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 16, BPF_F_NO_PREALLOC},
	{"max_entries_0", BPF_MAP_TYPE_HASH, 4, 8, 0, 0},
	{"key_size_0", BPF_MAP_TYPE_HASH, 0, 8, 16, 0},
	{"value_size_0", BPF_MAP_TYPE_LRU_HASH, 4, 0, 16, 0},
	{"mmapable", BPF_MAP_TYPE_HASH, 4, 8, 16, BPF_F_MMAPABLE},
	{"no_common_lru_on_hash", BPF_MAP_TYPE_HASH, 4, 8, 16, BPF_F_NO_COMMON_LRU},
	{"lru_no_prealloc", BPF_MAP_TYPE_LRU_HASH, 4, 8, 16, BPF_F_NO_PREALLOC},
	{"lru_percpu_no_prealloc", BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 16, BPF_F_NO_PREALLOC},
	{"rdonly_wronly_prog", BPF_MAP_TYPE_HASH, 4, 8, 16, BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG},
	{"rdonly_wronly", BPF_MAP_TYPE_HASH, 4, 8, 16, BPF_F_RDONLY | BPF_F_WRONLY},
	{"key_value_4mib", BPF_MAP_TYPE_HASH, 8, (4u << 20) - 48 - 8, 1, 0},
	{"key_value_below_4mib", BPF_MAP_TYPE_HASH, 8, (4u << 20) - 48 - 9, 1, 0},
	{"percpu_value_32k", BPF_MAP_TYPE_PERCPU_HASH, 4, 32768, 1, 0},
	{"percpu_value_above_32k", BPF_MAP_TYPE_PERCPU_HASH, 4, 32769, 1, 0},
	{"max_entries_2pow27_plus_1", BPF_MAP_TYPE_HASH, 4, 4, (1u << 27) + 1, 0},
	{"lru_percpu_value_above_32k", BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 32769, 1, 0},
	{"hash_of_maps_value_8", BPF_MAP_TYPE_HASH_OF_MAPS, 4, 8, 4, 0},
};

static void test_creation(void)
{
	for (size_t i = 0; i < sizeof(create_cases) / sizeof(create_cases[0]); i++) {
		const struct create_case *c = &create_cases[i];
		int kfd = kernel_create(c->type, c->key_size, c->value_size, c->max_entries, c->flags,
					-1);
		struct bpfvm_map *map;
		int err = hash_test_create(vm, c->type, c->key_size, c->value_size, c->max_entries,
					   c->flags, NULL, &map);
		int kerr = kfd < 0 ? kfd : 0;

		/* Maps of maps: the kernel checks value_size before the
		 * template, so without a template both still agree. */
		testlib_check("create_errno_matches_kernel", err == kerr, "%s: bpfvm %d, kernel %d",
			      c->name, err, kerr);
		if (kfd >= 0)
			close(kfd);
		if (!err)
			bpfvm_map_close(map);
	}
}

/* BPF_F_NO_COMMON_LRU rounds max_entries to a multiple of the CPUs. */
static void test_no_common_lru_rounding(void)
{
	int kfd = kernel_create(BPF_MAP_TYPE_LRU_HASH, 4, 4, 7, BPF_F_NO_COMMON_LRU, -1);
	struct bpf_map_info info = {0};
	uint32_t len = sizeof(info);
	struct bpfvm_map *map;

	if (kfd < 0 || bpf_obj_get_info_by_fd(kfd, &info, &len)) {
		testlib_check("no_common_lru_rounding_kernel", false, "kernel: %d", kfd);
		return;
	}
	hash_test_create(vm, BPF_MAP_TYPE_LRU_HASH, 4, 4, 7, BPF_F_NO_COMMON_LRU, NULL, &map);
	testlib_check("no_common_lru_max_entries_matches_kernel",
		      map && map_max_entries(map) == info.max_entries, "bpfvm %u, kernel %u",
		      map ? map_max_entries(map) : 0, info.max_entries);
	close(kfd);
	bpfvm_map_close(map);
}

struct pair {
	const char *name;
	int fd;
	struct bpfvm_map *map;
	uint32_t key_size, value_user; /* bytes of a user-space value */
	unsigned mismatches;
};

static void differ(struct pair *p, const char *what, unsigned step, long kernel, long ours)
{
	if (p->mismatches++ < 5)
		testlib_check("ops_match_kernel", false, "%s step %u %s: kernel %ld, bpfvm %ld",
			      p->name, step, what, kernel, ours);
}

static void make_key(uint8_t *key, uint32_t key_size, uint32_t n)
{
	memset(key, 0, key_size);
	memcpy(key, &n, key_size < 4 ? key_size : 4);
	key[key_size - 1] ^= (uint8_t)(n * 7);
}

static void make_value(uint8_t *value, uint32_t size)
{
	for (uint32_t i = 0; i < size; i++)
		value[i] = (uint8_t)rng(256);
}

static void step_update(struct pair *p, unsigned step, const uint8_t *key)
{
	static const uint64_t flag_choices[] = {BPF_ANY, BPF_ANY, BPF_NOEXIST, BPF_EXIST,
						BPF_F_LOCK, 3};
	uint64_t flags = flag_choices[rng(6)];
	uint8_t value[4096];
	int k, b;

	make_value(value, p->value_user);
	k = testlib_kernel_rc(bpf_map_update_elem(p->fd, key, value, flags));
	b = hash_test_update(p->map, key, value, flags);
	if (k != b)
		differ(p, "update", step, k, b);
}

static void step_lookup(struct pair *p, unsigned step, const uint8_t *key, bool and_delete)
{
	uint8_t kvalue[4096] = {0}, bvalue[4096] = {0};
	int k, b;

	if (and_delete) {
		k = testlib_kernel_rc(bpf_map_lookup_and_delete_elem(p->fd, key, kvalue));
		b = bpfvm_map_lookup_and_delete(p->map, key, bvalue);
	} else {
		k = testlib_kernel_rc(bpf_map_lookup_elem(p->fd, key, kvalue));
		b = hash_test_lookup(p->map, key, bvalue);
	}
	if (k != b)
		differ(p, and_delete ? "lookup_and_delete" : "lookup", step, k, b);
	else if (!k && memcmp(kvalue, bvalue, p->value_user))
		differ(p, "value", step, 0, 1);
}

static void step_delete(struct pair *p, unsigned step, const uint8_t *key)
{
	int k = testlib_kernel_rc(bpf_map_delete_elem(p->fd, key));
	int b = hash_test_delete(p->map, key);

	if (k != b)
		differ(p, "delete", step, k, b);
}

static void step_next(struct pair *p, unsigned step, const uint8_t *key)
{
	uint8_t knext[64] = {0}, bnext[64] = {0};
	int k = testlib_kernel_rc(bpf_map_get_next_key(p->fd, key, knext));
	int b = hash_test_next(p->map, key, bnext);

	if (k != b)
		differ(p, "get_next_key", step, k, b);
	else if (!k && memcmp(knext, bnext, p->key_size))
		differ(p, "get_next_key order", step, 0, 1);
}

/* Walks both maps with get_next_key from NULL: same keys, same order,
 * same values. */
static void compare_contents(struct pair *p)
{
	uint8_t key[64], kvalue[4096], bvalue[4096];
	const void *at = NULL;
	unsigned count = 0;

	for (;;) {
		uint8_t knext[64], bnext[64];
		int k = testlib_kernel_rc(bpf_map_get_next_key(p->fd, at, knext));
		int b = hash_test_next(p->map, at, bnext);

		if (k != b || (!k && memcmp(knext, bnext, p->key_size))) {
			differ(p, "final walk", count, k, b);
			return;
		}
		if (k)
			break;
		memcpy(key, knext, p->key_size);
		at = key;
		if (bpf_map_lookup_elem(p->fd, key, kvalue) || hash_test_lookup(p->map, key, bvalue) ||
		    memcmp(kvalue, bvalue, p->value_user)) {
			differ(p, "final value", count, 0, 1);
			return;
		}
		if (++count > 10000)
			break;
	}
	testlib_check("final_contents_match_kernel", p->mismatches == 0, "%s: %u mismatches",
		      p->name, p->mismatches);
}

static void run_sequence(const char *name, uint32_t type, uint32_t key_size, uint32_t flags,
			 uint32_t max_entries, unsigned steps)
{
	uint32_t value_size = 12;
	bool percpu = type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	struct pair p = {.name = name, .key_size = key_size,
			 .value_user = percpu ? 16 * nr_cpus : value_size};
	int err;

	flags |= BPF_F_ZERO_SEED;
	p.fd = kernel_create(type, key_size, value_size, max_entries, flags, -1);
	err = hash_test_create(vm, type, key_size, value_size, max_entries, flags, NULL, &p.map);
	if (p.fd < 0 || err) {
		testlib_check("sequence_maps_created", false, "%s: kernel %d, bpfvm %d", name, p.fd,
			      err);
		return;
	}
	for (unsigned step = 0; step < steps; step++) {
		uint8_t key[64];
		uint32_t op = rng(100);

		make_key(key, key_size, rng(max_entries * 3));
		if (op < 45)
			step_update(&p, step, key);
		else if (op < 65)
			step_lookup(&p, step, key, false);
		else if (op < 80)
			step_delete(&p, step, key);
		else if (op < 88)
			step_lookup(&p, step, key, true);
		else
			step_next(&p, step, op < 92 ? NULL : key);
	}
	compare_contents(&p);
	close(p.fd);
	bpfvm_map_close(p.map);
}

static void test_sequences(void)
{
	static const struct {
		const char *name;
		uint32_t type, flags;
	} configs[] = {
		{"hash", BPF_MAP_TYPE_HASH, 0},
		{"hash_no_prealloc", BPF_MAP_TYPE_HASH, BPF_F_NO_PREALLOC},
		{"percpu_hash", BPF_MAP_TYPE_PERCPU_HASH, 0},
		{"lru_hash", BPF_MAP_TYPE_LRU_HASH, 0},
		{"lru_percpu_hash", BPF_MAP_TYPE_LRU_PERCPU_HASH, 0},
		{"lru_hash_no_common", BPF_MAP_TYPE_LRU_HASH, BPF_F_NO_COMMON_LRU},
		{"lru_percpu_hash_no_common", BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_F_NO_COMMON_LRU},
	};
	static const uint32_t key_sizes[] = {4, 6, 16};
	static const uint32_t sizes[] = {16, 300};

	for (size_t c = 0; c < sizeof(configs) / sizeof(configs[0]); c++)
		for (size_t k = 0; k < 3; k++)
			for (size_t s = 0; s < 2; s++) {
				char name[96];

				snprintf(name, sizeof(name), "%s key %u max %u", configs[c].name,
					 key_sizes[k], sizes[s]);
				run_sequence(name, configs[c].type, key_sizes[k], configs[c].flags,
					     sizes[s], 3000);
			}
}

/* HASH_OF_MAPS: the same errno for a good inner map, one that differs from
 * the template, a missing one, lookup_and_delete; the same id back. */
static void test_hash_of_maps(void)
{
	int ktemplate = kernel_create(BPF_MAP_TYPE_HASH, 4, 8, 16, 0, -1);
	int kgood = kernel_create(BPF_MAP_TYPE_HASH, 4, 8, 64, 0, -1);
	int kbad = kernel_create(BPF_MAP_TYPE_HASH, 4, 16, 16, 0, -1);
	int kouter = kernel_create(BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4, 0, ktemplate);
	struct bpfvm_map *template = hash_test_map(vm, BPF_MAP_TYPE_HASH, 4, 8, 16, 0);
	struct bpfvm_map *good = hash_test_map(vm, BPF_MAP_TYPE_HASH, 4, 8, 64, 0);
	struct bpfvm_map *bad = hash_test_map(vm, BPF_MAP_TYPE_HASH, 4, 16, 16, 0);
	struct bpfvm_map *outer;
	uint32_t key = 1, value, out;
	int k, b;

	b = hash_test_create(vm, BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4, 0, template, &outer);
	if (kouter < 0 || b) {
		testlib_check("hash_of_maps_created", false, "kernel %d, bpfvm %d", kouter, b);
		return;
	}
	value = (uint32_t)kgood;
	k = testlib_kernel_rc(bpf_map_update_elem(kouter, &key, &value, BPF_ANY));
	value = good->region->id;
	b = hash_test_update(outer, &key, &value, BPF_ANY);
	testlib_check("hash_of_maps_good_inner_matches_kernel", k == b, "kernel %d, bpfvm %d", k, b);
	value = (uint32_t)kbad;
	k = testlib_kernel_rc(bpf_map_update_elem(kouter, &key, &value, BPF_ANY));
	value = bad->region->id;
	b = hash_test_update(outer, &key, &value, BPF_ANY);
	testlib_check("hash_of_maps_mismatch_matches_kernel", k == b, "kernel %d, bpfvm %d", k, b);
	value = 100000;
	k = testlib_kernel_rc(bpf_map_update_elem(kouter, &key, &value, BPF_ANY));
	b = hash_test_update(outer, &key, &value, BPF_ANY);
	testlib_check("hash_of_maps_missing_inner_matches_kernel", k == b, "kernel %d, bpfvm %d", k,
		      b);
	k = testlib_kernel_rc(bpf_map_lookup_elem(kouter, &key, &out));
	b = hash_test_lookup(outer, &key, &value);
	testlib_check("hash_of_maps_lookup_matches_kernel", k == b && !b && value == good->region->id,
		      "kernel %d, bpfvm %d", k, b);
	k = testlib_kernel_rc(bpf_map_lookup_and_delete_elem(kouter, &key, &out));
	b = bpfvm_map_lookup_and_delete(outer, &key, &out);
	testlib_check("hash_of_maps_lookup_and_delete_matches_kernel", k == b,
		      "kernel %d, bpfvm %d", k, b);
	close(kouter);
	close(kgood);
	close(kbad);
	close(ktemplate);
	bpfvm_map_close(outer);
	bpfvm_map_close(good);
	bpfvm_map_close(bad);
	bpfvm_map_close(template);
}

int main(void)
{
	cpu_set_t cpu0;
	int probe;

	probe = kernel_create(BPF_MAP_TYPE_HASH, 4, 4, 1, 0, -1);
	if (probe < 0) {
		printf("SKIP: bpf() not usable: %s\n", strerror(-probe));
		return 77;
	}
	close(probe);
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0)) {
		printf("SKIP: cannot pin to CPU 0\n");
		return 77;
	}
	nr_cpus = (uint32_t)libbpf_num_possible_cpus();
	vm = hash_test_vm(nr_cpus);
	test_creation();
	test_no_common_lru_rounding();
	test_sequences();
	test_hash_of_maps();
	bpfvm_destroy(vm);
	return testlib_summary();
}
