/* A lock that lives inside a map region.
 *
 * Regions are position-independent and may be shared between processes
 * (DESIGN.md: a map is a position-independent memory region), so the lock is
 * a process-shared, robust pthread mutex stored in the region itself: it holds
 * no pointer into any one process, and when a holder dies (a thread killed, a
 * process gone) the next acquirer gets it with MAP_LOCK_RECOVERED instead of
 * waiting forever, and repairs what the dead holder may have left half done.
 *
 * Uncontended acquire and release stay in user space (no system call), so the
 * program side of a map may use it on the run path; a contended acquire waits
 * in the kernel as a spinning writer would in the kernel's raw spinlocks.
 *
 * Usage: map_lock_init() once when the region is formatted (zeroed memory);
 * then
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

struct map_lock {
	pthread_mutex_t mutex; /* PTHREAD_PROCESS_SHARED, PTHREAD_MUTEX_ROBUST */
};

/* Returned by map_lock_acquire(): the lock is held, and its previous holder
 * died while holding it. */
#define MAP_LOCK_RECOVERED 1

/* Formats the lock. Returns 0 or -errno. */
int map_lock_init(struct map_lock *lock);

/* Takes the lock: 0, MAP_LOCK_RECOVERED, or -errno (the lock is not held). */
int map_lock_acquire(struct map_lock *lock);

/* Takes the lock if it is free: as map_lock_acquire(), or -EBUSY at once
 * when another holder has it (the caller's own hold included). */
int map_lock_try(struct map_lock *lock);

void map_lock_release(struct map_lock *lock);

#endif
