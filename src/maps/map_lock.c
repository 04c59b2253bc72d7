/* The in-region locks: a robust, process-shared pthread mutex, and the
 * owner lock's contended paths (see map_lock.h for why two). */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "maps/map_lock.h"

/* Spins on a held owner lock before sleeping: a queue's or a trie's
 * critical section is a copy of a value or a short walk. */
#define MAP_OWNER_LOCK_SPINS 128

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

/* Shared futexes (no FUTEX_PRIVATE_FLAG): the word may be mapped by other
 * processes. */
static long map_futex(_Atomic uint32_t *word, int op, uint32_t value,
		      const struct timespec *timeout)
{
	return syscall(SYS_futex, word, op, value, timeout, NULL, 0);
}

/* Takes a free word without sleeping first; `mark` keeps the waiters bit
 * for the sleepers that may remain. */
static bool map_owner_lock_take(struct map_owner_lock *lock, uint64_t self, uint32_t mark)
{
	uint32_t free = 0;

	if (!atomic_compare_exchange_strong_explicit(&lock->word, &free,
						     (uint32_t)(self >> 32) | mark,
						     memory_order_acquire, memory_order_relaxed))
		return false;
	atomic_store_explicit(&lock->holder, self, memory_order_relaxed);
	return true;
}

/* After a sleep that timed out on `held`: takes the lock over if the holder
 * it names is dead. The holder field counts only if it names the word's tid
 * (it is written after the word); the acquire load orders it after the
 * field's clearing by every earlier release. */
static bool map_owner_lock_take_over(struct map_owner_lock *lock, uint32_t held, uint64_t self)
{
	uint64_t holder;
	uint32_t start = 0;

	if (atomic_load_explicit(&lock->word, memory_order_acquire) != held)
		return false;
	holder = atomic_load_explicit(&lock->holder, memory_order_relaxed);
	if (holder >> 32 == (held & OWNER_TID_MASK))
		start = (uint32_t)holder;
	if (!owner_take_over(&lock->word, held, start,
			     (uint32_t)(self >> 32) | MAP_OWNER_LOCK_WAITERS))
		return false;
	atomic_store_explicit(&lock->holder, self, memory_order_relaxed);
	return true;
}

int map_owner_lock_wait(struct map_owner_lock *lock, uint64_t self)
{
	const struct timespec check = { 0, MAP_OWNER_LOCK_CHECK_MS * 1000000L };

	for (int spins = 0; spins < MAP_OWNER_LOCK_SPINS; spins++) {
		if (!atomic_load_explicit(&lock->word, memory_order_relaxed) &&
		    map_owner_lock_take(lock, self, 0))
			return 0;
		map_cpu_relax();
	}
	for (;;) {
		uint32_t held = atomic_load_explicit(&lock->word, memory_order_relaxed);

		if (!held) {
			/* Others may sleep still: the release must wake them. */
			if (map_owner_lock_take(lock, self, MAP_OWNER_LOCK_WAITERS))
				return 0;
			continue;
		}
		if (!(held & MAP_OWNER_LOCK_WAITERS)) {
			uint32_t marked = held | MAP_OWNER_LOCK_WAITERS;

			if (!atomic_compare_exchange_weak_explicit(&lock->word, &held, marked,
								   memory_order_relaxed,
								   memory_order_relaxed))
				continue;
			held = marked;
		}
		/* A dead holder wakes nobody: the timeout asks about it. */
		if (map_futex(&lock->word, FUTEX_WAIT, held, &check) < 0 && errno == ETIMEDOUT &&
		    map_owner_lock_take_over(lock, held, self))
			return MAP_LOCK_RECOVERED;
	}
}

void map_owner_lock_wake(struct map_owner_lock *lock)
{
	map_futex(&lock->word, FUTEX_WAKE, 1, NULL);
}
