/* Runtime functions (kfuncs): the public registration and the kfuncs bpfvm
 * provides itself, under the kernel's names so that objects written for the
 * kernel resolve their `extern ... __ksym` here.
 *
 * bpf_rcu_read_lock / bpf_rcu_read_unlock: a user-space run has no RCU
 * readers to protect; they do nothing, and the verifier pairs them as the
 * kernel does (verifier/types_kfunc.c). Their ids are above
 * BPFVM_KFUNC_ID_MAX, out of the users' range. */
#include <errno.h>
#include <string.h>

#include "core/error.h"
#include "core/runtime.h"
#include "helpers/kfunc_table.h"

#define KFUNC_ID_RCU_READ_LOCK (BPFVM_KFUNC_ID_MAX + 1u)
#define KFUNC_ID_RCU_READ_UNLOCK (BPFVM_KFUNC_ID_MAX + 2u)

static uint64_t kfunc_nothing(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return 0;
}

int kfuncs_register_builtins(struct kfunc_table *table)
{
	struct bpfvm_kfunc lock = { .sz = sizeof(lock), .name = "bpf_rcu_read_lock",
				    .id = KFUNC_ID_RCU_READ_LOCK, .fn = kfunc_nothing,
				    .ret = BPFVM_KFUNC_RET_VOID };
	struct bpfvm_kfunc unlock = { .sz = sizeof(unlock), .name = "bpf_rcu_read_unlock",
				      .id = KFUNC_ID_RCU_READ_UNLOCK, .fn = kfunc_nothing,
				      .ret = BPFVM_KFUNC_RET_VOID };
	int err = kfunc_table_set(table, &lock, KFUNC_PAIR_RCU_LOCK);

	if (!err)
		err = kfunc_table_set(table, &unlock, KFUNC_PAIR_RCU_UNLOCK);
	/* The kernel's kfuncs are for GPL-compatible programs (add_kfunc_call). */
	for (uint32_t i = 0; i < table->count && !err; i++)
		table->entries[i].proto.gpl_only = true;
	return err;
}

int bpfvm_kfunc_register(struct bpfvm *vm, const struct bpfvm_kfunc *kfunc)
{
	if (!vm) {
		vm_error("bpfvm_kfunc_register: vm is NULL");
		return -EINVAL;
	}
	if (kfunc && kfunc->id > BPFVM_KFUNC_ID_MAX) {
		vm_error("kfunc '%s': invalid registration: id above BPFVM_KFUNC_ID_MAX",
			 kfunc->name ? kfunc->name : "?");
		return -EINVAL;
	}
	return kfunc_table_set(&vm->kfuncs, kfunc, KFUNC_PAIR_NONE);
}

int bpfvm_kfunc_id(const struct bpfvm *vm, const char *name, uint32_t *id)
{
	const struct kfunc_entry *entry = vm && name ? kfunc_table_find_name(&vm->kfuncs, name)
						     : NULL;

	if (!entry) {
		vm_error("no runtime function called '%s'", name ? name : "(null)");
		return -ENOENT;
	}
	*id = entry->id;
	return 0;
}
