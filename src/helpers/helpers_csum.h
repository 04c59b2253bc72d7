/* The checksum helpers (helpers_csum.c), for the packet helper table. */
#ifndef BPFVM_HELPERS_HELPERS_CSUM_H
#define BPFVM_HELPERS_HELPERS_CSUM_H

#include <stdint.h>

uint64_t helper_csum_diff(uint64_t from, uint64_t from_size, uint64_t to, uint64_t to_size,
			  uint64_t seed);
uint64_t helper_l3_csum_replace(uint64_t skb, uint64_t offset, uint64_t from, uint64_t to,
				uint64_t flags);
uint64_t helper_l4_csum_replace(uint64_t skb, uint64_t offset, uint64_t from, uint64_t to,
				uint64_t flags);

#endif
