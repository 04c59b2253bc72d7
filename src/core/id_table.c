#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/id_table.h"

void id_table_init(struct id_table *table)
{
	pthread_mutex_init(&table->lock, NULL);
	table->slots = NULL;
	table->capacity = 0;
	table->next_id = 1;
}

void id_table_release(struct id_table *table)
{
	free(table->slots);
	table->slots = NULL;
	table->capacity = 0;
	pthread_mutex_destroy(&table->lock);
}

static int id_table_grow(struct id_table *table)
{
	uint32_t capacity = table->capacity ? table->capacity * 2 : 64;
	void *_Atomic *slots = realloc(table->slots, capacity * sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	memset(slots + table->capacity, 0, (capacity - table->capacity) * sizeof(*slots));
	table->slots = slots;
	table->capacity = capacity;
	return 0;
}

int64_t id_table_add(struct id_table *table, void *object)
{
	int64_t id;

	pthread_mutex_lock(&table->lock);
	if (table->next_id >= table->capacity && id_table_grow(table)) {
		pthread_mutex_unlock(&table->lock);
		return -ENOMEM;
	}
	id = table->next_id++;
	table->slots[id] = object;
	pthread_mutex_unlock(&table->lock);
	return id;
}

void id_table_remove(struct id_table *table, uint32_t id)
{
	pthread_mutex_lock(&table->lock);
	if (id && id < table->capacity)
		table->slots[id] = NULL;
	pthread_mutex_unlock(&table->lock);
}

void *id_table_find(struct id_table *table, uint32_t id)
{
	void *object = NULL;

	pthread_mutex_lock(&table->lock);
	if (id && id < table->capacity)
		object = table->slots[id];
	pthread_mutex_unlock(&table->lock);
	return object;
}
