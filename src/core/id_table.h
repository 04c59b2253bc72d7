/* Ids of maps and programs: small integers, never reused while the runtime
 * lives (as the kernel's idr with cyclic allocation), mapped to objects in
 * O(1). Thread-safe. */
#ifndef BPFVM_CORE_ID_TABLE_H
#define BPFVM_CORE_ID_TABLE_H

#include <pthread.h>
#include <stdint.h>

struct id_table {
	pthread_mutex_t lock;
	void *_Atomic *slots; /* indexed by id; slot 0 unused */
	uint32_t capacity;
	uint32_t next_id;
};

void id_table_init(struct id_table *table);
void id_table_release(struct id_table *table);

/* Assigns a new id to `object`. Returns the id (> 0) or -ENOMEM. */
int64_t id_table_add(struct id_table *table, void *object);

/* Removes `id`; a no-op for 0 or unknown ids. */
void id_table_remove(struct id_table *table, uint32_t id);

/* The object with this id, or NULL. */
void *id_table_find(struct id_table *table, uint32_t id);

#endif
