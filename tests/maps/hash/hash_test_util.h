/* Shared by the hash map tests: a runtime, and maps created and used through
 * the public API (bpfvm_map_*); the program side through the family's ops,
 * as helpers call them. */
#ifndef BPFVM_TESTS_HASH_TEST_UTIL_H
#define BPFVM_TESTS_HASH_TEST_UTIL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "core/runtime.h"
#include "maps/hash.h"
#include "maps/map.h"
#include "testlib.h"

static inline struct bpfvm *hash_test_vm(uint32_t nr_cpus)
{
	struct bpfvm_opts opts = {.sz = sizeof(opts), .nr_cpus = nr_cpus};
	struct bpfvm *vm;

	if (bpfvm_create(&opts, &vm)) {
		fprintf(stderr, "bpfvm_create: %s\n", bpfvm_errmsg());
		exit(1);
	}
	return vm;
}

static inline int hash_test_create(struct bpfvm *vm, uint32_t type, uint32_t key_size,
				   uint32_t value_size, uint32_t max_entries, uint32_t flags,
				   const struct bpfvm_map *inner, struct bpfvm_map **map)
{
	struct bpfvm_map_create_opts opts = {
		.sz = sizeof(opts), .map_flags = flags, .inner_map = inner,
	};

	*map = NULL;
	return bpfvm_map_create(vm, (enum bpf_map_type)type, "hash_test", key_size, value_size,
				max_entries, &opts, map);
}

/* Creates or exits: for tests whose subject is not creation. */
static inline struct bpfvm_map *hash_test_map(struct bpfvm *vm, uint32_t type, uint32_t key_size,
					      uint32_t value_size, uint32_t max_entries,
					      uint32_t flags)
{
	struct bpfvm_map *map;
	int err = hash_test_create(vm, type, key_size, value_size, max_entries, flags, NULL, &map);

	if (err) {
		fprintf(stderr, "map_create(type %u): %d %s\n", type, err, bpfvm_errmsg());
		exit(1);
	}
	return map;
}

static inline int hash_test_update(struct bpfvm_map *map, const void *key, const void *value,
				   uint64_t flags)
{
	return bpfvm_map_update(map, key, value, flags);
}

static inline int hash_test_lookup(struct bpfvm_map *map, const void *key, void *value)
{
	return bpfvm_map_lookup(map, key, value);
}

static inline int hash_test_delete(struct bpfvm_map *map, const void *key)
{
	return bpfvm_map_delete(map, key);
}

static inline int hash_test_next(struct bpfvm_map *map, const void *key, void *next)
{
	return bpfvm_map_get_next_key(map, key, next);
}

/* Number of keys get_next_key walks (at most `limit`). */
static inline unsigned hash_test_count(struct bpfvm_map *map, unsigned limit)
{
	uint8_t key[512], next[512];
	unsigned count = 0;
	const void *at = NULL;

	while (count < limit && !hash_test_next(map, at, next)) {
		memcpy(key, next, map_key_size(map));
		at = key;
		count++;
	}
	return count;
}

#endif
