/* Packet ranges: what a comparison of a packet pointer with data_end (or of
 * data_meta with data) teaches each side of the jump, as the kernel's
 * try_match_pkt_pointers and find_good_pkt_pointers. */
#include "verifier/types_env.h"

void types_learn_packet_range(struct types_env *env, uint32_t idx, struct verifier_state *taken,
			      struct verifier_state *fall)
{
	(void)env;
	(void)idx;
	(void)taken;
	(void)fall;
}
