/* The lock that hash maps keep inside their regions: a process-shared,
 * robust pthread mutex. Process-shared because a region may be mapped by
 * several processes (DESIGN.md: a map is a position-independent region);
 * robust because a process may die holding it, and the next locker must
 * not wait forever (DESIGN.md: locks survive the death of a holder).
 *
 * Stand-in for the generic in-region lock (src/maps/map_lock.h) until that
 * lands; same idea, so the two can be unified by renaming. */
#ifndef BPFVM_MAPS_HASH_LOCK_H
#define BPFVM_MAPS_HASH_LOCK_H

#include <pthread.h>

struct hash_lock {
	pthread_mutex_t mutex;
};

/* Formats a lock in zeroed region memory. Returns 0 or -errno. */
int hash_lock_init(struct hash_lock *lock);

/* Takes the lock. If its previous holder died, the lock is taken over
 * (the data it protected may be half-updated, as after a crash). */
void hash_lock_acquire(struct hash_lock *lock);

void hash_lock_release(struct hash_lock *lock);

#endif
