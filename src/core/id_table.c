#include <errno.h>
#include <stdlib.h>

#include "core/id_table.h"

void id_table_init(struct id_table *table)
{
	pthread_mutex_init(&table->lock, NULL);
	for (uint32_t i = 0; i < ID_TABLE_CHUNKS; i++)
		atomic_init(&table->chunks[i], NULL);
	table->next_id = 1;
}

void id_table_release(struct id_table *table)
{
	for (uint32_t i = 0; i < ID_TABLE_CHUNKS; i++)
		free(atomic_load(&table->chunks[i]));
	pthread_mutex_destroy(&table->lock);
}

/* The slot of `id`, allocating its chunk if `create`; NULL otherwise. */
static void *_Atomic *id_table_slot(struct id_table *table, uint32_t id, int create)
{
	uint32_t chunk_index = id / ID_TABLE_CHUNK;
	void *_Atomic *chunk;

	if (chunk_index >= ID_TABLE_CHUNKS)
		return NULL;
	chunk = atomic_load_explicit(&table->chunks[chunk_index], memory_order_acquire);
	if (!chunk && create) {
		chunk = calloc(ID_TABLE_CHUNK, sizeof(*chunk));
		if (chunk)
			atomic_store_explicit(&table->chunks[chunk_index], chunk,
					      memory_order_release);
	}
	return chunk ? &chunk[id % ID_TABLE_CHUNK] : NULL;
}

int64_t id_table_add(struct id_table *table, void *object)
{
	void *_Atomic *slot;
	int64_t id;

	pthread_mutex_lock(&table->lock);
	id = table->next_id;
	slot = id_table_slot(table, (uint32_t)id, 1);
	if (slot) {
		atomic_store_explicit(slot, object, memory_order_release);
		table->next_id++;
	}
	pthread_mutex_unlock(&table->lock);
	return slot ? id : -ENOMEM;
}

int id_table_add_at(struct id_table *table, uint32_t id, void *object)
{
	void *_Atomic *slot;
	int err = -EEXIST;

	if (!id || id >= ID_TABLE_CHUNK * ID_TABLE_CHUNKS)
		return -ERANGE;
	pthread_mutex_lock(&table->lock);
	slot = id_table_slot(table, id, 1);
	if (!slot) {
		err = -ENOMEM;
	} else if (!atomic_load_explicit(slot, memory_order_relaxed)) {
		atomic_store_explicit(slot, object, memory_order_release);
		err = 0;
	}
	pthread_mutex_unlock(&table->lock);
	return err;
}

void id_table_remove(struct id_table *table, uint32_t id)
{
	void *_Atomic *slot;

	if (!id)
		return;
	pthread_mutex_lock(&table->lock);
	slot = id_table_slot(table, id, 0);
	if (slot)
		atomic_store_explicit(slot, NULL, memory_order_release);
	pthread_mutex_unlock(&table->lock);
}

void *id_table_find(struct id_table *table, uint32_t id)
{
	void *_Atomic *slot = id ? id_table_slot(table, id, 0) : NULL;

	return slot ? atomic_load_explicit(slot, memory_order_acquire) : NULL;
}

void *id_table_get(struct id_table *table, uint32_t id, bool (*try_get)(void *object))
{
	void *object;

	pthread_mutex_lock(&table->lock);
	object = id_table_find(table, id);
	if (object && !try_get(object))
		object = NULL;
	pthread_mutex_unlock(&table->lock);
	return object;
}
