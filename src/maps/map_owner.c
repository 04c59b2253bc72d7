/* Owner words in map regions (see map_owner.h). */
#include <errno.h>

#include "core/owner.h"
#include "maps/map_owner.h"

bool map_owner_dead(uint64_t ident)
{
	return ident && ident != owner_ident() && owner_ident_dead(ident);
}

int map_owner_claim(_Atomic uint64_t *word)
{
	uint64_t self = owner_ident(), held = 0;

	if (atomic_compare_exchange_strong_explicit(word, &held, self, memory_order_acquire,
						    memory_order_relaxed))
		return 0;
	/* A holder that died takes nothing with it: one claimer replaces
	 * its ident, the others see the new one. */
	if (map_owner_dead(held) &&
	    atomic_compare_exchange_strong_explicit(word, &held, self, memory_order_acquire,
						    memory_order_relaxed))
		return 0;
	return -EBUSY;
}

void map_owner_release(_Atomic uint64_t *word)
{
	atomic_store_explicit(word, 0, memory_order_release);
}
