/* A word in a map region that says which thread is doing something only
 * one may do at a time (a ring buffer's consumer, a perf buffer's reader,
 * a record reserved and not yet submitted), in a way that a holder killed
 * with kill -9 does not keep for ever.
 *
 * The word is 0 when free, else the holder's owner_ident() (core/owner.h:
 * tid and start time, so that a reused tid is not taken for the holder).
 * A claim that finds it held asks whether that holder is alive and takes
 * the word over, with a compare-and-swap (one claimer wins), when it is
 * not. Asking reads /proc: claims are for paths that are not per record.
 *
 * So does the start time of a thread's own ident, once per thread. A
 * region no other process maps (no namespace) needs no start time: its
 * words name their holder by tid alone (map_owner_self), which costs a
 * gettid once per thread. A forked child that shares such a region (the
 * mapping is MAP_SHARED) and dies holding a word is still found dead by its
 * tid; a tid reused meanwhile keeps the word held, never frees it early.
 */
#ifndef BPFVM_MAPS_MAP_OWNER_H
#define BPFVM_MAPS_MAP_OWNER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* This thread's ident in a word: owner_ident() in a region that other
 * processes map (`shared`), the tid alone (<< 32) in a private one. */
uint64_t map_owner_self(bool shared);

/* Takes the word for this thread, as `self` (map_owner_self): 0, or -EBUSY
 * while a live thread (this one included) holds it. */
int map_owner_claim_as(_Atomic uint64_t *word, uint64_t self);

/* map_owner_claim_as(word, owner_ident()). */
int map_owner_claim(_Atomic uint64_t *word);

/* Gives the word back (the caller holds it). */
void map_owner_release(_Atomic uint64_t *word);

/* Whether the holder `ident` read from a word is gone (0: nobody holds). */
bool map_owner_dead(uint64_t ident);

#endif
