/* Ids of maps and programs: small integers, never reused while the runtime
 * lives (as the kernel's idr with cyclic allocation), mapped to objects in
 * O(1). Adding and removing take a lock; finding takes none, because a map
 * of maps resolves its inner maps by id on the run path (no lock, no system
 * call there).
 *
 *     chunks[]  ──►  chunk 0: slots for ids 0 .. ID_TABLE_CHUNK-1
 *                    chunk 1: ids ID_TABLE_CHUNK .. 2*ID_TABLE_CHUNK-1
 *                    ...       (allocated on demand, never moved or freed
 *                               before the table, so a reader needs only
 *                               two atomic loads)
 */
#ifndef BPFVM_CORE_ID_TABLE_H
#define BPFVM_CORE_ID_TABLE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define ID_TABLE_CHUNK 1024u
#define ID_TABLE_CHUNKS 4096u /* ids up to 4M - 1 */

struct id_table {
	pthread_mutex_t lock;			  /* writers only */
	void *_Atomic *_Atomic chunks[ID_TABLE_CHUNKS];
	uint32_t next_id;
};

void id_table_init(struct id_table *table);
void id_table_release(struct id_table *table);

/* Assigns a new id to `object`. Returns the id (> 0) or -ENOMEM (also when
 * the ids run out). */
int64_t id_table_add(struct id_table *table, void *object);

/* Places `object` at an id given from outside (a namespace's, ns/ns.h):
 * 0, -EEXIST (the slot is taken), -ERANGE, -ENOMEM. Such ids are never
 * mixed with id_table_add()'s in one table. */
int id_table_add_at(struct id_table *table, uint32_t id, void *object);

/* Removes `id`; a no-op for 0 or unknown ids. */
void id_table_remove(struct id_table *table, uint32_t id);

/* The object with this id, or NULL. Lock-free: for the run path, where a
 * grace period keeps what it finds alive (engine/vcpu.h). */
void *id_table_find(struct id_table *table, uint32_t id);

/* The object with this id if try_get(object) takes a reference on it (it
 * fails on an object whose last reference is going), else NULL. Under the
 * writers' lock, so that an object cannot be freed between finding and
 * taking: its owner removes the id (taking the lock) before freeing it. */
void *id_table_get(struct id_table *table, uint32_t id, bool (*try_get)(void *object));

#endif
