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
 */
#ifndef BPFVM_MAPS_MAP_OWNER_H
#define BPFVM_MAPS_MAP_OWNER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* Takes the word for this thread: 0, or -EBUSY while a live thread (this
 * one included) holds it. */
int map_owner_claim(_Atomic uint64_t *word);

/* Gives the word back (the caller holds it). */
void map_owner_release(_Atomic uint64_t *word);

/* Whether the holder `ident` read from a word is gone (0: nobody holds). */
bool map_owner_dead(uint64_t ident);

#endif
