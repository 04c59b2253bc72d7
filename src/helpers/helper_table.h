/* The helper table of a runtime: helper id -> name, function and prototype.
 *
 * It is indexed by id so that a call resolves in one load, at decode time for
 * `call imm` and at run time for `callx`. Built-in helpers carry their
 * kernel prototype (helpers/helper_proto.h); a helper registered through
 * bpfvm_helper_register() has none, which means five ARG_ANYTHING arguments,
 * RET_INTEGER, callable from every program type. */
#ifndef BPFVM_HELPERS_HELPER_TABLE_H
#define BPFVM_HELPERS_HELPER_TABLE_H

#include <stdint.h>

#include "bpfvm/bpfvm.h"

struct helper_proto;

struct helper_entry {
	bpfvm_helper_fn fn; /* NULL: no helper with this id */
	char *name;
	const struct helper_proto *proto; /* NULL: registered by the user */
};

struct helper_table {
	struct helper_entry *entries; /* indexed by helper id */
	uint32_t capacity;	      /* number of entries allocated */
};

void helper_table_init(struct helper_table *table);
void helper_table_release(struct helper_table *table);

/* Adds or replaces helper `id`; `proto` is the built-in prototype or NULL.
 * Returns 0, -EINVAL or -ENOMEM. */
int helper_table_set(struct helper_table *table, uint32_t id, const char *name,
		     bpfvm_helper_fn fn, const struct helper_proto *proto);

/* The entry for `id`, or NULL if no helper has that id. */
const struct helper_entry *helper_table_find(const struct helper_table *table,
					     uint64_t id);

#endif
