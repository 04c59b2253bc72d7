/* The runtime functions (kfuncs) of a runtime: id -> name, function and
 * prototype, and name -> id for the loader's `extern ... __ksym`.
 *
 * A kfunc's prototype is a struct helper_proto (helper_proto.h) built from
 * the public struct bpfvm_kfunc, so that the verifier checks its arguments
 * and the checked interpreter its memory as a helper's. Its proto.id is
 * KFUNC_PROTO_ID, never a helper's id: the code that recognises helpers by
 * id (tail call, spin lock) never mistakes a kfunc for one. */
#ifndef BPFVM_HELPERS_KFUNC_TABLE_H
#define BPFVM_HELPERS_KFUNC_TABLE_H

#include <stdint.h>

#include "bpfvm/bpfvm.h"
#include "helpers/helper_proto.h"

#define KFUNC_PROTO_ID UINT32_MAX

/* The verifier's pairing rule a built-in kfunc carries. */
enum kfunc_pairing {
	KFUNC_PAIR_NONE = 0,
	KFUNC_PAIR_RCU_LOCK,
	KFUNC_PAIR_RCU_UNLOCK,
};

struct kfunc_entry {
	uint32_t id;
	char *name;
	struct helper_proto proto; /* proto.fn is the function */
	enum bpfvm_kfunc_arg args[5]; /* as registered: the kfunc-only rules */
	enum kfunc_pairing pairing;
};

struct kfunc_table {
	struct kfunc_entry *entries; /* in registration order */
	uint32_t count, capacity;
};

void kfunc_table_init(struct kfunc_table *table);
void kfunc_table_release(struct kfunc_table *table);

/* Adds `kfunc`. 0, or with a message -EINVAL, -EEXIST (its id or its name
 * is registered already) or -ENOMEM. */
int kfunc_table_set(struct kfunc_table *table, const struct bpfvm_kfunc *kfunc,
		    enum kfunc_pairing pairing);

const struct kfunc_entry *kfunc_table_find(const struct kfunc_table *table, uint32_t id);
const struct kfunc_entry *kfunc_table_find_name(const struct kfunc_table *table,
						const char *name);

/* The kfuncs bpfvm provides (kfuncs_builtin.c). */
int kfuncs_register_builtins(struct kfunc_table *table);

#endif
