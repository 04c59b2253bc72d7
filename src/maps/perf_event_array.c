/* BPF_MAP_TYPE_PERF_EVENT_ARRAY with one perf ring per virtual CPU.
 *
 * The region, with B = min(max_entries, nr_cpus) buffers:
 *
 *     0                 +------------------------------------------+
 *                       | struct map_region                        |
 *     4096              +------------------------------------------+
 *                       | buffer 0 control page: data_head,        |
 *                       |   data_tail, lost, lock, consumer busy,  |
 *                       |   open (a reader is there)               |
 *     4096 * 2          +------------------------------------------+
 *                       | buffer 0 data: PERF_BUFFER_DATA_SIZE     |
 *                       +------------------------------------------+
 *                       | buffer 1 control page, data ...          |
 *                       +------------------------------------------+
 *
 * Records are the kernel's perf records, as libbpf's perf_buffer reads
 * them: struct perf_event_header { u32 type = PERF_RECORD_SAMPLE; u16 misc;
 * u16 size } then u32 raw_size and the raw bytes, zero-padded so that
 * raw_size + 4 is a multiple of 8. A record may wrap around the end of the
 * data (perf does not double-map; the reader copies it). data_head and
 * data_tail grow forever, as perf_event_mmap_page's; a record that does not
 * fit is dropped and counted in `lost`, as perf does. Only the holder of
 * virtual CPU i writes buffer i (perf_event_output refuses other CPUs), so
 * the lock is never contended in a run; it keeps the ring whole if a caller
 * breaks that rule.
 *
 * A buffer takes records only while it is open: in the kernel a slot is
 * empty until user space places a perf event there (libbpf's perf_buffer),
 * and bpf_perf_event_output to an empty slot is -ENOENT. `open` is read and
 * written under the buffer's lock, so a record never lands in a buffer that
 * is being opened (reset) or closed (emptied).
 *
 * The region may be a namespace's file, written by programs of several
 * processes and read by another (docs/namespace.md), any of which may be
 * killed. A writer publishes a record with its last store (data_head), so
 * one killed in the middle leaves nothing half written to read, and its
 * lock is taken over (a bpf_spin_lock word, map_value.h): nothing to
 * repair. The consumer's claim of a buffer and the reader state's "being
 * opened or closed" are owner words (map_owner.h) that a killed holder
 * does not keep; a reader process that died leaves its buffers open until
 * another reader opens them (it takes them over) or someone closes them. */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/owner.h"
#include "maps/map_owner.h"
#include "maps/map_value.h"
#include "maps/perf_event_array.h"

#define PERF_PAGE 4096u
#define PERF_BUFFER_STRIDE (PERF_PAGE + PERF_BUFFER_DATA_SIZE)
#define PERF_RECORD_MAX 0xffffu /* perf_event_header.size is a u16 */

struct perf_buffer_control {
	_Atomic uint64_t data_head; /* written by the producer */
	_Atomic uint64_t data_tail; /* written by the consumer */
	_Atomic uint64_t lost;
	_Atomic uint64_t consumer; /* the thread reading it now (map_owner.h) */
	_Atomic uint32_t open;	   /* changed under `lock` */
	_Atomic uint32_t lock;	   /* a bpf_spin_lock word (map_value.h) */
};

struct perf_sample_header {
	struct perf_event_header header;
	uint32_t raw_size;
};

static uint32_t perf_buffer_count(const struct map_region *region)
{
	return region->max_entries < region->nr_cpus ? region->max_entries : region->nr_cpus;
}

static struct perf_buffer_control *perf_control(const struct map_region *region, uint32_t idx)
{
	return (struct perf_buffer_control *)((uint8_t *)region + PERF_PAGE +
					      (size_t)idx * PERF_BUFFER_STRIDE);
}

static uint8_t *perf_data(const struct map_region *region, uint32_t idx)
{
	return (uint8_t *)perf_control(region, idx) + PERF_PAGE;
}

/* ---- creation ------------------------------------------------------------ */

#define PERF_ARRAY_FLAGS                                                                   \
	(BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG | \
	 BPF_F_PRESERVE_ELEMS | BPF_F_INNER_MAP)

/* kernel/bpf/arraymap.c fd_array_map_alloc_check. */
static int perf_event_array_check_attr(const struct map_attr *attr)
{
	if (attr->key_size != 4 || attr->value_size != 4) {
		vm_error("map '%.16s': perf_event_array key_size and value_size must be 4 (got %u, %u)",
			 attr->name, attr->key_size, attr->value_size);
		return -EINVAL;
	}
	if (!attr->max_entries) {
		vm_error("map '%.16s': perf_event_array max_entries must not be 0", attr->name);
		return -EINVAL;
	}
	if (attr->map_flags & ~PERF_ARRAY_FLAGS) {
		vm_error("map '%.16s': perf_event_array map_flags 0x%x not supported", attr->name,
			 attr->map_flags);
		return -EINVAL;
	}
	return 0;
}

/* fd_array_map_alloc: a pointer for each entry, at once, though bpfvm
 * keeps a buffer for each CPU only. */
static uint64_t perf_event_array_kernel_area_size(const struct map_attr *attr)
{
	return (uint64_t)attr->max_entries * sizeof(void *);
}

static size_t perf_event_array_region_size(const struct map_attr *attr)
{
	uint32_t buffers = attr->max_entries < attr->nr_cpus ? attr->max_entries : attr->nr_cpus;

	return PERF_PAGE + (size_t)buffers * PERF_BUFFER_STRIDE;
}

static int perf_event_array_init(struct bpfvm_map *map)
{
	map->region->family[0] = perf_buffer_count(map->region);
	return 0;
}

/* A region another process made: positions a buffer can have, so that the
 * reader's walk stays in its data. */
static int perf_event_array_check_region(const struct map_region *region, const char **why)
{
	if (region->family[0] != perf_buffer_count(region)) {
		*why = "its buffer count is not the one its attributes give";
		return -EINVAL;
	}
	for (uint32_t cpu = 0; cpu < perf_buffer_count(region); cpu++) {
		struct perf_buffer_control *control = perf_control(region, cpu);
		uint64_t head = atomic_load(&control->data_head);
		uint64_t tail = atomic_load(&control->data_tail);

		if ((head | tail) & 7 || tail > head || head - tail > PERF_BUFFER_DATA_SIZE) {
			*why = "a buffer's head or tail is not one a buffer can have";
			return -EINVAL;
		}
	}
	return 0;
}

/* Keys are slot numbers, as an array's. */
static int perf_event_array_get_next_key(struct bpfvm_map *map, const void *key, void *next_key)
{
	uint32_t index = key ? map_key_index(key) : UINT32_MAX;

	if (index >= map_max_entries(map)) {
		*(uint32_t *)next_key = 0;
		return 0;
	}
	if (index == map_max_entries(map) - 1)
		return -ENOENT;
	*(uint32_t *)next_key = index + 1;
	return 0;
}

/* The buffer's lock: held for a few stores by a producer, an open or a
 * close; a waiter takes it over from a holder that died (map_value.h),
 * which had not moved data_head: nothing to repair. */
static void perf_lock(struct perf_buffer_control *control)
{
	map_spin_lock(&control->lock);
}

static void perf_unlock(struct perf_buffer_control *control)
{
	map_spin_unlock(&control->lock);
}

_Atomic uint32_t *perf_event_array_buffer_lock(struct bpfvm_map *map, uint32_t cpu)
{
	return &perf_control(map->region, cpu)->lock;
}

/* ---- the producer --------------------------------------------------------- */

static void perf_copy_in(uint8_t *data, uint64_t pos, const void *src, uint64_t len)
{
	uint64_t at = pos % PERF_BUFFER_DATA_SIZE, first = PERF_BUFFER_DATA_SIZE - at;

	if (!len)
		return;
	if (first > len)
		first = len;
	memcpy(data + at, src, first);
	memcpy(data, (const uint8_t *)src + first, len - first);
}

static void perf_write_record(struct perf_buffer_control *control, uint8_t *data, uint64_t head,
			      const void *sample, uint64_t size, const void *extra,
			      uint64_t extra_size, uint32_t record_size)
{
	static const uint8_t zeros[8];
	struct perf_sample_header header = {
		.header = { .type = PERF_RECORD_SAMPLE, .misc = 0, .size = (uint16_t)record_size },
		.raw_size = record_size - (uint32_t)sizeof(struct perf_event_header) - 4,
	};
	uint64_t pos = head;

	perf_copy_in(data, pos, &header, sizeof(header));
	pos += sizeof(header);
	perf_copy_in(data, pos, sample, size);
	pos += size;
	perf_copy_in(data, pos, extra, extra_size);
	pos += extra_size;
	perf_copy_in(data, pos, zeros, head + record_size - pos);
	atomic_store_explicit(&control->data_head, head + record_size, memory_order_release);
}

/* Appends the record to an open buffer (under its lock). */
static int perf_append(struct perf_buffer_control *control, uint8_t *data, const void *sample,
		       uint64_t size, const void *extra, uint64_t extra_size)
{
	uint64_t raw = size + extra_size, head, tail;
	/* header, u32 raw_size, raw bytes: a multiple of 8 */
	uint64_t record_size = (sizeof(struct perf_event_header) + 4 + raw + 7) & ~7ull;

	perf_lock(control);
	if (!atomic_load_explicit(&control->open, memory_order_relaxed)) {
		perf_unlock(control); /* closed since the caller looked */
		return -ENOENT;
	}
	head = atomic_load_explicit(&control->data_head, memory_order_relaxed);
	tail = atomic_load_explicit(&control->data_tail, memory_order_acquire);
	if (record_size > PERF_RECORD_MAX || head + record_size - tail > PERF_BUFFER_DATA_SIZE) {
		perf_unlock(control);
		atomic_fetch_add_explicit(&control->lost, 1, memory_order_relaxed);
		return -ENOSPC;
	}
	perf_write_record(control, data, head, sample, size, extra, extra_size,
			  (uint32_t)record_size);
	perf_unlock(control);
	return 0;
}

/* The kernel's __bpf_perf_event_output, in its order: the index, then an
 * empty slot (no buffer, or no reader), then another CPU's event. */
int perf_event_array_output(struct bpfvm_map *map, uint64_t index, uint32_t cpu,
			    const void *sample, uint64_t size, const void *extra,
			    uint64_t extra_size)
{
	const struct map_region *region = map->region;
	struct perf_buffer_control *control;

	if (index >= region->max_entries)
		return -E2BIG;
	if (index >= perf_buffer_count(region))
		return -ENOENT;
	control = perf_control(region, (uint32_t)index);
	if (!atomic_load_explicit(&control->open, memory_order_acquire))
		return -ENOENT;
	if (index != cpu)
		return -EOPNOTSUPP;
	return perf_append(control, perf_data(region, (uint32_t)index), sample, size, extra,
			   extra_size);
}

/* ---- readers ---------------------------------------------------------------- */

/* region->family[PERF_FAMILY_READER]: CLOSED, OPEN, or while one thread
 * opens or closes the buffers, its owner_ident() (never 0 or 1), so that
 * an open and a close never interleave and a thread killed in the middle
 * is replaced. family[PERF_FAMILY_READER_PID]: the process that opened. */
#define PERF_FAMILY_READER 1
#define PERF_FAMILY_READER_PID 2
enum perf_reader_state { PERF_READER_CLOSED, PERF_READER_OPEN };

static int perf_check_map(const struct bpfvm_map *map, const char *fn)
{
	if (!map) {
		vm_error("%s: NULL map", fn);
		return -EINVAL;
	}
	if (map_type(map) != BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
		vm_error("map '%s': %s needs a perf_event_array map (type %u)", map->region->name,
			 fn, map_type(map));
		return -EINVAL;
	}
	return 0;
}

/* Whether this thread may replace the reader state `state` (not the one
 * it expected) to open or close: its changer died, or, to open, the
 * process that opened the buffers did (a new reader takes them over, as
 * the kernel's perf_buffer__new replaces the slots' events). */
static bool perf_reader_takeover(const struct map_region *region, uint64_t state, uint32_t open)
{
	uint64_t pid = __atomic_load_n(&region->family[PERF_FAMILY_READER_PID], __ATOMIC_ACQUIRE);

	if (state > PERF_READER_OPEN)
		return map_owner_dead(state);
	return open && state == PERF_READER_OPEN && pid && pid != (uint64_t)getpid() &&
	       owner_ident_dead((uint64_t)(uint32_t)pid << 32) /* the tid alone */;
}

/* Moves the reader state from CLOSED (open) or OPEN (close) to this
 * thread's ident, or takes it over (above). */
static int perf_reader_claim(struct map_region *region, uint32_t open, const char *fn)
{
	uint64_t *word = &region->family[PERF_FAMILY_READER], self = owner_ident();
	uint64_t state = open ? PERF_READER_CLOSED : PERF_READER_OPEN;

	if (__atomic_compare_exchange_n(word, &state, self, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		return 0;
	if (perf_reader_takeover(region, state, open) &&
	    __atomic_compare_exchange_n(word, &state, self, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		return 0;
	vm_error("map '%s': %s: the reader is %s", region->name, fn,
		 state > PERF_READER_OPEN ? "being opened or closed"
		 : open ? "already open" : "not open");
	return state > PERF_READER_OPEN ? -EBUSY : open ? -EEXIST : -ENOENT;
}

/* Opens (reset to empty) or closes (drops what is unread) every buffer,
 * each under its lock. */
static int perf_set_open(struct bpfvm_map *map, uint32_t open, const char *fn)
{
	struct map_region *region = map->region;
	int err = perf_reader_claim(region, open, fn);

	if (err)
		return err;
	__atomic_store_n(&region->family[PERF_FAMILY_READER_PID], open ? (uint64_t)getpid() : 0,
			 __ATOMIC_RELEASE);
	for (uint32_t cpu = 0; cpu < perf_buffer_count(region); cpu++) {
		struct perf_buffer_control *control = perf_control(region, cpu);
		uint64_t head;

		perf_lock(control);
		head = atomic_load_explicit(&control->data_head, memory_order_relaxed);
		atomic_store_explicit(&control->data_tail, head, memory_order_release);
		atomic_store_explicit(&control->lost, 0, memory_order_relaxed);
		atomic_store_explicit(&control->open, open, memory_order_release);
		perf_unlock(control);
	}
	__atomic_store_n(&region->family[PERF_FAMILY_READER],
			 open ? PERF_READER_OPEN : PERF_READER_CLOSED, __ATOMIC_RELEASE);
	return 0;
}

/* ---- the consumer --------------------------------------------------------- */

static void perf_copy_out(const uint8_t *data, uint64_t pos, void *dst, uint64_t len)
{
	uint64_t at = pos % PERF_BUFFER_DATA_SIZE, first = PERF_BUFFER_DATA_SIZE - at;

	if (first > len)
		first = len;
	memcpy(dst, data + at, first);
	memcpy((uint8_t *)dst + first, data, len - first);
}

/* The records of one buffer, oldest first; then its lost count. */
static int perf_consume_buffer(const struct map_region *region, uint32_t cpu,
			       bpfvm_perf_sample_fn fn, bpfvm_perf_lost_fn lost_fn, void *ctx,
			       uint8_t *copy)
{
	struct perf_buffer_control *control = perf_control(region, cpu);
	const uint8_t *data = perf_data(region, cpu);
	uint64_t tail = atomic_load_explicit(&control->data_tail, memory_order_relaxed);
	uint64_t head = atomic_load_explicit(&control->data_head, memory_order_acquire), lost;
	int count = 0;

	while (tail < head) {
		struct perf_sample_header header;

		perf_copy_out(data, tail, &header, sizeof(header));
		/* Writers publish whole records: a size that is not one is a
		 * region written by hand, whose unread records are dropped. */
		if (header.header.size < sizeof(header) || header.header.size & 7 ||
		    header.header.size > head - tail) {
			atomic_store_explicit(&control->data_tail, head, memory_order_release);
			atomic_fetch_add_explicit(&control->lost, 1, memory_order_relaxed);
			break;
		}
		perf_copy_out(data, tail, copy, header.header.size);
		if (header.header.type == PERF_RECORD_SAMPLE) {
			fn(ctx, (int)cpu, copy + sizeof(header), header.raw_size);
			count++;
		}
		tail += header.header.size;
		atomic_store_explicit(&control->data_tail, tail, memory_order_release);
	}
	lost = atomic_exchange_explicit(&control->lost, 0, memory_order_relaxed);
	if (lost && lost_fn)
		lost_fn(ctx, (int)cpu, lost);
	return count;
}

int bpfvm_perf_buffer_consume(struct bpfvm_map *map, bpfvm_perf_sample_fn fn,
			      bpfvm_perf_lost_fn lost_fn, void *ctx)
{
	uint8_t *copy;
	int total = 0;

	int err = perf_check_map(map, "bpfvm_perf_buffer_consume");

	if (err)
		return err;
	if (!fn) {
		vm_error("bpfvm_perf_buffer_consume: NULL callback");
		return -EINVAL;
	}
	copy = malloc(PERF_RECORD_MAX + 1);
	if (!copy) {
		vm_error("map '%s': out of memory", map->region->name);
		return -ENOMEM;
	}
	for (uint32_t cpu = 0; cpu < perf_buffer_count(map->region); cpu++) {
		struct perf_buffer_control *control = perf_control(map->region, cpu);

		if (map_owner_claim(&control->consumer)) {
			vm_error("map '%s': another consumer is reading CPU %u's buffer",
				 map->region->name, cpu);
			free(copy);
			return -EBUSY;
		}
		total += perf_consume_buffer(map->region, cpu, fn, lost_fn, ctx, copy);
		map_owner_release(&control->consumer);
	}
	free(copy);
	return total;
}

int bpfvm_perf_buffer_open(struct bpfvm_map *map)
{
	int err = perf_check_map(map, "bpfvm_perf_buffer_open");

	return err ? err : perf_set_open(map, 1, "bpfvm_perf_buffer_open");
}

int bpfvm_perf_buffer_close(struct bpfvm_map *map)
{
	int err = perf_check_map(map, "bpfvm_perf_buffer_close");

	return err ? err : perf_set_open(map, 0, "bpfvm_perf_buffer_close");
}

const struct map_ops perf_event_array_map_ops = {
	.share = MAP_SHARE_RW,
	.check_region = perf_event_array_check_region,
	.check_attr = perf_event_array_check_attr,
	.region_size = perf_event_array_region_size,
	.kernel_area_size = perf_event_array_kernel_area_size,
	.init = perf_event_array_init,
	.get_next_key = perf_event_array_get_next_key,
};
