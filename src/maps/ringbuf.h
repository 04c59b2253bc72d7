/* BPF_MAP_TYPE_RINGBUF: the kernel's multi-producer, single-consumer ring
 * of variable-length records (kernel/bpf/ringbuf.c), as a map region. The
 * program side (reserve, commit, query) is called by the ringbuf helpers;
 * the consumer is bpfvm_ringbuf_consume(). */
#ifndef BPFVM_MAPS_RINGBUF_H
#define BPFVM_MAPS_RINGBUF_H

#include <stdbool.h>
#include <stdint.h>

#include "maps/map.h"

/* The kernel's record header (BPF_RINGBUF_HDR_SZ) and its length bits. */
#define RINGBUF_HDR_SZ 8u
#define RINGBUF_BUSY_BIT (1u << 31)
#define RINGBUF_DISCARD_BIT (1u << 30)
/* RINGBUF_MAX_RECORD_SZ */
#define RINGBUF_MAX_RECORD_SZ (UINT32_MAX / 4)

extern const struct map_ops ringbuf_map_ops;

/* A record of `size` bytes marked busy, or NULL when the ring has no room
 * (or size is above RINGBUF_MAX_RECORD_SZ). */
void *ringbuf_reserve(struct bpfvm_map *map, uint64_t size);

/* Submits (or discards) a reserved record, found from its data pointer as
 * the kernel finds it (the header's page offset). BPF_RB_NO_WAKEUP /
 * BPF_RB_FORCE_WAKEUP decide whether a consumer is notified. */
void ringbuf_commit(void *sample, uint64_t flags, bool discard);

/* bpf_ringbuf_query: BPF_RB_AVAIL_DATA, BPF_RB_RING_SIZE, BPF_RB_CONS_POS,
 * BPF_RB_PROD_POS; 0 for any other flag. */
uint64_t ringbuf_query(struct bpfvm_map *map, uint64_t flags);

/* Notifications the kernel would have sent to a waiting consumer so far
 * (bpfvm has no poll yet: counted, for the tests of the wakeup flags). */
uint64_t ringbuf_wakeups(const struct bpfvm_map *map);

#endif
