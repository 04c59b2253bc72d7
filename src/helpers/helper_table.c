#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "helpers/helper_table.h"

void helper_table_init(struct helper_table *table)
{
	table->entries = NULL;
	table->capacity = 0;
}

void helper_table_release(struct helper_table *table)
{
	for (uint32_t id = 0; id < table->capacity; id++)
		free(table->entries[id].name);
	free(table->entries);
	helper_table_init(table);
}

static int helper_table_grow(struct helper_table *table, uint32_t id)
{
	uint32_t capacity = table->capacity ? table->capacity : 256;
	struct helper_entry *entries;

	while (capacity <= id)
		capacity *= 2;
	entries = realloc(table->entries, capacity * sizeof(*entries));
	if (!entries)
		return -ENOMEM;
	memset(entries + table->capacity, 0,
	       (capacity - table->capacity) * sizeof(*entries));
	table->entries = entries;
	table->capacity = capacity;
	return 0;
}

int helper_table_set(struct helper_table *table, uint32_t id, const char *name,
		     bpfvm_helper_fn fn, const struct helper_proto *proto)
{
	char *name_copy;
	int err;

	if (!fn || !name || id > BPFVM_HELPER_ID_MAX) {
		vm_error("helper %u: invalid registration (NULL function or name, or id above %u)",
			 id, BPFVM_HELPER_ID_MAX);
		return -EINVAL;
	}
	if (id >= table->capacity) {
		err = helper_table_grow(table, id);
		if (err) {
			vm_error("helper %u '%s': out of memory", id, name);
			return err;
		}
	}
	name_copy = strdup(name);
	if (!name_copy) {
		vm_error("helper %u '%s': out of memory", id, name);
		return -ENOMEM;
	}
	free(table->entries[id].name);
	table->entries[id].name = name_copy;
	table->entries[id].fn = fn;
	table->entries[id].proto = proto;
	return 0;
}

const struct helper_entry *helper_table_find(const struct helper_table *table,
					     uint64_t id)
{
	if (id >= table->capacity || !table->entries[id].fn)
		return NULL;
	return &table->entries[id];
}
