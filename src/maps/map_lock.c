/* The in-region lock: a robust, process-shared pthread mutex (see
 * map_lock.h for why). */
#include <errno.h>

#include "maps/map_lock.h"

int map_lock_init(struct map_lock *lock)
{
	pthread_mutexattr_t attr;
	int err;

	err = pthread_mutexattr_init(&attr);
	if (err)
		return -err;
	err = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	if (!err)
		err = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	if (!err)
		err = pthread_mutex_init(&lock->mutex, &attr);
	pthread_mutexattr_destroy(&attr);
	return -err;
}

/* The answer of a lock or trylock: a holder that died left the lock to us;
 * mark it usable again before anyone else can see ENOTRECOVERABLE. The
 * caller repairs the data. */
static int map_lock_taken(struct map_lock *lock, int err)
{
	if (err == EOWNERDEAD) {
		pthread_mutex_consistent(&lock->mutex);
		return MAP_LOCK_RECOVERED;
	}
	return -err;
}

int map_lock_acquire(struct map_lock *lock)
{
	return map_lock_taken(lock, pthread_mutex_lock(&lock->mutex));
}

int map_lock_try(struct map_lock *lock)
{
	return map_lock_taken(lock, pthread_mutex_trylock(&lock->mutex));
}

void map_lock_release(struct map_lock *lock)
{
	pthread_mutex_unlock(&lock->mutex);
}
