/* Locks that live inside a map region.
 *
 * Regions are position-independent and may be shared between processes
 * (DESIGN.md: a map is a position-independent memory region), so a lock
 * holds no pointer into any one process, and when a holder dies (a thread
 * killed, a process gone) the next acquirer gets it with MAP_LOCK_RECOVERED
 * instead of waiting forever, and repairs what the dead holder may have left
 * half done. Two kinds:
 *
 * - struct map_lock: a process-shared, robust pthread mutex. The kernel
 *   marks it when its holder dies, so the very next acquire, and a *try*,
 *   answer MAP_LOCK_RECOVERED at once. Families whose repair needs that
 *   (HASH and LRU_HASH try bucket locks; the registry) use it.
 *
 * - struct map_owner_lock: a word naming its holder's thread (core/owner.h)
 *   and the holder's start time. Taking it is one compare-and-swap and
 *   releasing it one exchange, none of glibc's robust-list bookkeeping; a
 *   waiter spins briefly, then sleeps on the word (futex) with a timeout
 *   after which it asks whether the holder is alive and, if not, takes the
 *   lock over. Recovery thus waits MAP_OWNER_LOCK_CHECK_MS. Families with one
 *   lock on the program's run path (QUEUE, STACK, LPM_TRIE) use it:
 *
 *     +-------------------------------+---------+----------------------------+
 *     | word: waiters bit | tid (30)  | padding | holder: owner_ident() (64) |
 *     +-------------------------------+---------+----------------------------+
 *       0: free; the futex word                  written just after the word is
 *                                                taken, 0 just before release
 *
 *   The holder field tells a reused tid from the dead holder; a waiter
 *   trusts it only when its tid is the word's (a new holder may not have
 *   written it yet), else it judges by the tid alone.
 *
 * Uncontended acquire and release stay in user space (no system call), so the
 * program side of a map may use either on the run path; a contended acquire
 * waits in the kernel as a spinning writer would in the kernel's raw
 * spinlocks.
 *
 * Usage: the _init() once when the region is formatted (zeroed memory); then
 *
 *     int rc = map_lock_acquire(&hdr->lock);
 *     if (rc < 0)
 *             return rc;
 *     if (rc == MAP_LOCK_RECOVERED)
 *             family_repair(...);
 *     ... critical section ...
 *     map_lock_release(&hdr->lock);
 */
#ifndef BPFVM_MAPS_MAP_LOCK_H
#define BPFVM_MAPS_MAP_LOCK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "core/owner.h"

struct map_lock {
	pthread_mutex_t mutex; /* PTHREAD_PROCESS_SHARED, PTHREAD_MUTEX_ROBUST */
};

struct map_owner_lock {
	_Atomic uint32_t word;	 /* 0, or the holder's tid | MAP_OWNER_LOCK_WAITERS */
	uint32_t padding;
	_Atomic uint64_t holder; /* the holder's owner_ident(), 0 while unknown */
};

/* Set in an owner lock's word while a waiter may sleep on it: the release
 * then wakes one. (The kernel's FUTEX_WAITERS, for the same reason.) */
#define MAP_OWNER_LOCK_WAITERS 0x80000000u
/* How long a waiter sleeps on an owner lock held by the same holder before
 * it reads /proc to learn whether that holder is alive. */
#define MAP_OWNER_LOCK_CHECK_MS 10

/* Returned by the acquires: the lock is held, and its previous holder died
 * while holding it. */
#define MAP_LOCK_RECOVERED 1

/* Formats the lock. Returns 0 or -errno. */
int map_lock_init(struct map_lock *lock);

/* Takes the lock: 0, MAP_LOCK_RECOVERED, or -errno (the lock is not held). */
int map_lock_acquire(struct map_lock *lock);

/* Takes the lock if it is free: as map_lock_acquire(), or -EBUSY at once
 * when another holder has it (the caller's own hold included). */
int map_lock_try(struct map_lock *lock);

void map_lock_release(struct map_lock *lock);

/* A spinning waiter's pause. */
static inline void map_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* The owner lock's contended paths (map_lock.c). */
int map_owner_lock_wait(struct map_owner_lock *lock, uint64_t self);
void map_owner_lock_wake(struct map_owner_lock *lock);

/* Formats an owner lock (zeroed memory is already a free lock). */
static inline void map_owner_lock_init(struct map_owner_lock *lock)
{
	atomic_init(&lock->word, 0);
	atomic_init(&lock->holder, 0);
}

/* Takes the lock: 0, or MAP_LOCK_RECOVERED. It cannot fail, and must not be
 * taken twice by one thread (that waits forever, as a kernel spinlock). */
static inline int map_owner_lock_acquire(struct map_owner_lock *lock)
{
	uint64_t self = owner_ident();
	uint32_t free = 0;

	if (atomic_compare_exchange_strong_explicit(&lock->word, &free, (uint32_t)(self >> 32),
						    memory_order_acquire, memory_order_relaxed)) {
		atomic_store_explicit(&lock->holder, self, memory_order_relaxed);
		return 0;
	}
	return map_owner_lock_wait(lock, self);
}

/* Releases the lock; wakes a waiter if one may sleep. The holder field is
 * cleared first (the exchange releases it): a waiter that reads the word,
 * then the field, finds this holder, 0, or a later one. */
static inline void map_owner_lock_release(struct map_owner_lock *lock)
{
	atomic_store_explicit(&lock->holder, 0, memory_order_relaxed);
	if (atomic_exchange_explicit(&lock->word, 0, memory_order_release) &
	    MAP_OWNER_LOCK_WAITERS)
		map_owner_lock_wake(lock);
}

#endif
