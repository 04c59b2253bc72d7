/* BPF_MAP_TYPE_PERF_EVENT_ARRAY: in the kernel, slot i holds a perf event
 * that user space opened on CPU i (libbpf's perf_buffer), each with its own
 * ring. Here the map holds those rings itself: slot i is virtual CPU i's
 * buffer, for i < min(max_entries, nr_cpus). The program side is
 * bpf_perf_event_output (helpers_perf.c); the reader opens the buffers with
 * bpfvm_perf_buffer_open() (until then outputs are -ENOENT, as to an empty
 * slot in the kernel) and reads them with bpfvm_perf_buffer_consume(). */
#ifndef BPFVM_MAPS_PERF_EVENT_ARRAY_H
#define BPFVM_MAPS_PERF_EVENT_ARRAY_H

#include <stdint.h>

#include <stdatomic.h>

#include "maps/map.h"

/* Bytes of records each virtual CPU's buffer holds (16 pages: libbpf users
 * ask perf_buffer__new for 8 to 64 pages). */
#define PERF_BUFFER_DATA_SIZE (64u * 1024u)

extern const struct map_ops perf_event_array_map_ops;

/* Writes a PERF_RECORD_SAMPLE with the bytes of data and then of extra
 * (extra may be NULL) to slot `index` as written from virtual CPU `cpu`.
 * Returns 0, or as the kernel: -E2BIG (index >= max_entries), -ENOENT (no
 * buffer in that slot, or no reader), -EOPNOTSUPP (another CPU's buffer),
 * -ENOSPC (buffer full: the record is counted as lost). */
int perf_event_array_output(struct bpfvm_map *map, uint64_t index, uint32_t cpu,
			    const void *data, uint64_t size, const void *extra,
			    uint64_t extra_size);

/* The lock of virtual CPU `cpu`'s buffer, which a writer holds while it
 * appends a record (for the tests that kill a holder). */
_Atomic uint32_t *perf_event_array_buffer_lock(struct bpfvm_map *map, uint32_t cpu);

#endif
