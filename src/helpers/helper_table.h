/* The helper table of a runtime: helper id -> name and function.
 *
 * It is indexed by id so that a call resolves in one load, at decode time for
 * `call imm` and at run time for `callx`. Later issues add each helper's
 * prototype for the verifier and the program types allowed to call it. */
#ifndef BPFVM_HELPERS_HELPER_TABLE_H
#define BPFVM_HELPERS_HELPER_TABLE_H

#include <stdint.h>

#include "bpfvm/bpfvm.h"

struct helper_entry {
	bpfvm_helper_fn fn; /* NULL: no helper with this id */
	char *name;
};

struct helper_table {
	struct helper_entry *entries; /* indexed by helper id */
	uint32_t capacity;	      /* number of entries allocated */
};

void helper_table_init(struct helper_table *table);
void helper_table_release(struct helper_table *table);

/* Adds or replaces helper `id`. Returns 0, -EINVAL or -ENOMEM. */
int helper_table_set(struct helper_table *table, uint32_t id, const char *name,
		     bpfvm_helper_fn fn);

/* The entry for `id`, or NULL if no helper has that id. */
const struct helper_entry *helper_table_find(const struct helper_table *table,
					     uint64_t id);

#endif
