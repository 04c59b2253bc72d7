/* The kfunc table (kfunc_table.h). Runtimes register a few kfuncs, so a
 * list searched at load time (decode, verification) is enough: runs call
 * the function pointer the decoder took from it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/opts.h"
#include "helpers/kfunc_table.h"

void kfunc_table_init(struct kfunc_table *table)
{
	memset(table, 0, sizeof(*table));
}

void kfunc_table_release(struct kfunc_table *table)
{
	for (uint32_t i = 0; i < table->count; i++)
		free(table->entries[i].name);
	free(table->entries);
	kfunc_table_init(table);
}

static enum helper_arg kfunc_arg(enum bpfvm_kfunc_arg arg)
{
	switch (arg) {
	case BPFVM_KFUNC_ARG_SCALAR: return ARG_ANYTHING;
	case BPFVM_KFUNC_ARG_CONST: return ARG_ANYTHING; /* known: types_kfunc.c */
	case BPFVM_KFUNC_ARG_IGNORED: return ARG_ANYTHING; /* unchecked: types_kfunc.c */
	case BPFVM_KFUNC_ARG_MEM: return ARG_PTR_TO_MEM;
	case BPFVM_KFUNC_ARG_MEM_UNINIT: return ARG_PTR_TO_UNINIT_MEM;
	case BPFVM_KFUNC_ARG_MEM_SIZE: return ARG_CONST_SIZE_OR_ZERO;
	case BPFVM_KFUNC_ARG_MEM_SIZE_CONST: return ARG_CONST_SIZE_OR_ZERO;
	case BPFVM_KFUNC_ARG_CTX: return ARG_PTR_TO_CTX;
	default: return ARG_NONE;
	}
}

static bool is_mem(enum bpfvm_kfunc_arg arg)
{
	return arg == BPFVM_KFUNC_ARG_MEM || arg == BPFVM_KFUNC_ARG_MEM_UNINIT;
}

static bool is_size(enum bpfvm_kfunc_arg arg)
{
	return arg == BPFVM_KFUNC_ARG_MEM_SIZE || arg == BPFVM_KFUNC_ARG_MEM_SIZE_CONST;
}

/* Arguments end at the first NONE; a memory argument is followed by its
 * size and a size follows a memory argument (the kernel's mem, mem__sz). */
static bool kfunc_args_valid(const struct bpfvm_kfunc *kfunc)
{
	bool ended = false;

	for (int i = 0; i < 5; i++) {
		enum bpfvm_kfunc_arg arg = kfunc->args[i];

		if (arg > BPFVM_KFUNC_ARG_IGNORED || (ended && arg != BPFVM_KFUNC_ARG_NONE))
			return false;
		ended |= arg == BPFVM_KFUNC_ARG_NONE;
		if (is_mem(arg) && (i == 4 || !is_size(kfunc->args[i + 1])))
			return false;
		if (is_size(arg) && (i == 0 || !is_mem(kfunc->args[i - 1])))
			return false;
	}
	return true;
}

static int kfunc_valid(const struct bpfvm_kfunc *kfunc)
{
	const char *why = NULL;

	if (!kfunc || !opts_valid(kfunc, sizeof(*kfunc)))
		why = "NULL, or sz unknown";
	else if (!kfunc->name || !kfunc->name[0] || !kfunc->fn)
		why = "NULL function or name";
	else if (!kfunc->id)
		why = "id 0";
	else if (!kfunc_args_valid(kfunc))
		why = "a memory argument not followed by its size, or a size without memory";
	else if (kfunc->ret > BPFVM_KFUNC_RET_MEM_OR_NULL ||
		 (kfunc->ret == BPFVM_KFUNC_RET_MEM_OR_NULL) != (kfunc->ret_size != 0))
		why = "ret_size must be given for RET_MEM_OR_NULL, and only for it";
	if (!why)
		return 0;
	vm_error("kfunc '%s': invalid registration: %s",
		 kfunc && kfunc->name ? kfunc->name : "?", why);
	return -EINVAL;
}

/* The entry with kfunc's id or name, or NULL. */
static const struct kfunc_entry *kfunc_taken(const struct kfunc_table *table,
					     const struct bpfvm_kfunc *kfunc)
{
	const struct kfunc_entry *entry = kfunc_table_find(table, kfunc->id);

	return entry ? entry : kfunc_table_find_name(table, kfunc->name);
}

static struct kfunc_entry *kfunc_new_slot(struct kfunc_table *table)
{
	struct kfunc_entry *entries;
	uint32_t capacity;

	if (table->count == table->capacity) {
		capacity = table->capacity ? table->capacity * 2 : 8;
		entries = realloc(table->entries, capacity * sizeof(*entries));
		if (!entries)
			return NULL;
		table->entries = entries;
		table->capacity = capacity;
	}
	memset(&table->entries[table->count], 0, sizeof(table->entries[0]));
	return &table->entries[table->count++];
}

static enum helper_ret kfunc_ret(enum bpfvm_kfunc_ret ret)
{
	switch (ret) {
	case BPFVM_KFUNC_RET_VOID: return RET_VOID;
	case BPFVM_KFUNC_RET_MEM_OR_NULL: return RET_PTR_TO_MEM_OR_NULL;
	default: return RET_INTEGER;
	}
}

int kfunc_table_set(struct kfunc_table *table, const struct bpfvm_kfunc *kfunc,
		    enum kfunc_pairing pairing)
{
	struct kfunc_entry *entry;
	char *name;
	const struct kfunc_entry *taken;
	int err = kfunc_valid(kfunc);

	if (err)
		return err;
	/* Programs already loaded call the function they were verified
	 * against; a second registration under the same id or name would make
	 * objects resolve to another prototype (or replace the built-in RCU
	 * pairing), so it is refused rather than replaced. */
	taken = kfunc_taken(table, kfunc);
	if (taken) {
		vm_error("kfunc '%s' (id %u): already registered as '%s' (id %u)", kfunc->name,
			 kfunc->id, taken->name, taken->id);
		return -EEXIST;
	}
	name = strdup(kfunc->name);
	entry = name ? kfunc_new_slot(table) : NULL;
	if (!entry) {
		free(name);
		vm_error("kfunc '%s': out of memory", kfunc->name);
		return -ENOMEM;
	}
	entry->id = kfunc->id;
	entry->name = name;
	entry->pairing = pairing;
	entry->proto = (struct helper_proto){
		.id = KFUNC_PROTO_ID, .name = entry->name, .fn = kfunc->fn,
		.ret = kfunc_ret(kfunc->ret), .ret_mem_size = kfunc->ret_size,
		.families = UINT32_MAX,
	};
	for (int i = 0; i < 5; i++) {
		entry->proto.args[i] = kfunc_arg(kfunc->args[i]);
		entry->args[i] = kfunc->args[i];
	}
	return 0;
}

const struct kfunc_entry *kfunc_table_find(const struct kfunc_table *table, uint32_t id)
{
	for (uint32_t i = 0; i < table->count; i++)
		if (table->entries[i].id == id)
			return &table->entries[i];
	return NULL;
}

const struct kfunc_entry *kfunc_table_find_name(const struct kfunc_table *table,
						const char *name)
{
	for (uint32_t i = 0; i < table->count; i++)
		if (!strcmp(table->entries[i].name, name))
			return &table->entries[i];
	return NULL;
}
