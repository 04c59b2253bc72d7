/* Process-shared robust mutexes for hash map regions (see hash_lock.h). */
#include <errno.h>

#include "maps/hash_lock.h"

int hash_lock_init(struct hash_lock *lock)
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

void hash_lock_acquire(struct hash_lock *lock)
{
	/* EOWNERDEAD: we hold the lock now; mark it usable again. */
	if (pthread_mutex_lock(&lock->mutex) == EOWNERDEAD)
		pthread_mutex_consistent(&lock->mutex);
}

void hash_lock_release(struct hash_lock *lock)
{
	pthread_mutex_unlock(&lock->mutex);
}
