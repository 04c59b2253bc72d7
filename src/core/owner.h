/* Who holds a lock or a vCPU that several processes share, and whether that
 * holder is still alive.
 *
 * A holder is a thread, named by its thread id (gettid). A word that only
 * has 32 bits (a struct bpf_spin_lock) stores the tid alone; a 64-bit word
 * (a vCPU's owner in the namespace) stores the tid and the low 32 bits of
 * the thread's start time, so that a tid reused by a new thread is not taken
 * for the dead holder:
 *
 *     owner_ident:  | tid (32) | start time, clock ticks since boot (low 32) |
 *
 * The thread's values are cached per thread and forgotten in a fork()ed
 * child, whose only thread has its own tid. Whether a holder is alive is
 * read from /proc/<tid>/stat (any thread of the caller's pid namespace, of
 * any user): gone, or a zombie, is dead. That costs a file read: callers
 * ask only after waiting for a while.
 *
 * A 32-bit lock word names its holder by tid in its low 30 bits (the
 * kernel's FUTEX_TID_MASK: pid_max is at most 2^22); a lock may keep flags
 * in the two high bits. Taking such a word over from a dead holder is
 * owner_take_over(), for every lock that has one. */
#ifndef BPFVM_CORE_OWNER_H
#define BPFVM_CORE_OWNER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* This thread's tid (never 0). */
uint32_t owner_tid(void);

/* This thread's tid << 32 | its start time's low 32 bits (never 0). */
uint64_t owner_ident(void);

/* Whether the thread named by `ident` has exited: its tid is gone, a
 * zombie, or now names a thread that started at another time. */
bool owner_ident_dead(uint64_t ident);

/* How many times this process read a /proc/<tid>/stat (its own start
 * time or another holder's life): tests show with it that a path never
 * asks. */
uint64_t owner_stat_reads(void);

/* The bits of a lock word that hold its holder's tid. */
#define OWNER_TID_MASK 0x3fffffffu

/* Takes the lock word over if the holder it names is dead: `held` is the
 * word as last seen (tid and flags), `start` the holder's start time's low
 * 32 bits as its lock records it (0: unknown, the tid alone is checked).
 * True when `word` went from `held` to `self`: one waiter wins, and a word
 * that changed meanwhile (a release, a new holder) is left alone. */
bool owner_take_over(_Atomic uint32_t *word, uint32_t held, uint32_t start, uint32_t self);

#endif
