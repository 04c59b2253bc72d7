/* Owner words in map regions (see map_owner.h). */
#include <errno.h>

#include "core/owner.h"
#include "maps/map_owner.h"

uint64_t map_owner_self(bool shared)
{
	return shared ? owner_ident() : (uint64_t)owner_tid() << 32;
}

bool map_owner_dead(uint64_t ident)
{
	/* A private region's word names its holder by tid alone: telling
	 * this thread from it reads no /proc. */
	uint64_t self = map_owner_self((uint32_t)ident != 0);

	return ident && ident != self && owner_ident_dead(ident);
}

int map_owner_claim_as(_Atomic uint64_t *word, uint64_t self)
{
	uint64_t held = 0;

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

int map_owner_claim(_Atomic uint64_t *word)
{
	return map_owner_claim_as(word, owner_ident());
}

void map_owner_release(_Atomic uint64_t *word)
{
	atomic_store_explicit(word, 0, memory_order_release);
}
