/* Small helpers shared by the map tests. */
#ifndef BPFVM_TESTS_MAPS_TESTUTIL_H
#define BPFVM_TESTS_MAPS_TESTUTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "testlib.h"

#define ENOTSUPP_KERNEL 524

/* Checks that `got` is `want` and, for an error, that the message names
 * `msg` (NULL: any message, but one). */
static inline void expect_rc(const char *test, int got, int want, const char *msg)
{
	const char *errmsg = bpfvm_errmsg();

	testlib_check(test, got == want, "returned %d, expected %d (%s)", got, want, errmsg);
	if (got == want && want < 0) {
		testlib_check(test, errmsg[0] != '\0', "error %d without a message", want);
		if (msg)
			testlib_check(test, strstr(errmsg, msg) != NULL,
				      "message \"%s\" does not say \"%s\"", errmsg, msg);
	}
}

static inline struct bpfvm_map *create_map(struct bpfvm *vm, enum bpf_map_type type,
					   const char *name, uint32_t key_size,
					   uint32_t value_size, uint32_t max_entries,
					   uint32_t flags, const struct bpfvm_map *inner)
{
	struct bpfvm_map_create_opts opts = {
		.sz = sizeof(opts), .map_flags = flags, .inner_map = inner,
	};
	struct bpfvm_map *map = NULL;
	int err = bpfvm_map_create(vm, type, name, key_size, value_size, max_entries, &opts, &map);

	if (err) {
		printf("FAIL create %s: %d %s\n", name, err, bpfvm_errmsg());
		testlib_count_failure();
		return NULL;
	}
	return map;
}

static inline int create_rc(struct bpfvm *vm, enum bpf_map_type type, uint32_t key_size,
			    uint32_t value_size, uint32_t max_entries, uint32_t flags,
			    const struct bpfvm_map *inner)
{
	struct bpfvm_map_create_opts opts = {
		.sz = sizeof(opts), .map_flags = flags, .inner_map = inner,
	};
	struct bpfvm_map *map = NULL;
	int err = bpfvm_map_create(vm, type, "t", key_size, value_size, max_entries, &opts, &map);

	bpfvm_map_close(map);
	return err;
}

#endif
