/* BPF_MAP_TYPE_RINGBUF.
 *
 * The region, with S = max_entries (a power of 2, a multiple of 4096):
 *
 *     0       +-----------------------------------+
 *             | struct map_region                 |
 *     4096    +-----------------------------------+
 *             | consumer page: consumer_pos,      |  written by the consumer
 *             |   consumer_busy (one at a time)   |
 *     8192    +-----------------------------------+
 *             | producer page: producer_pos,      |  written by producers,
 *             |   pending_pos, lock, wakeups      |  under lock
 *     12288   +-----------------------------------+
 *             | data: S bytes of records          |
 *             +-----------------------------------+
 *             | overflow: S bytes                 |  the part of a record
 *             +-----------------------------------+  that runs past the end
 *
 * A record is the kernel's: an 8-byte header { u32 len; u32 pg_off } and the
 * data, rounded up to 8 bytes. len has BUSY set from reserve to commit and
 * DISCARD set when discarded; pg_off is the header's distance from the
 * region start in 4096-byte pages, so that submit finds the ring from the
 * data pointer alone. Positions grow forever; a record starts at pos & (S-1).
 * The kernel maps the data pages twice so that a record that wraps is
 * contiguous; here the region has S more bytes after the data for the same
 * purpose: a record always lies whole in [data + (pos & (S-1)), + len), and
 * the consumer reads it there. The two views of the wrapped part are kept
 * as the kernel's one memory: reserve copies the ring's start into the
 * overflow, commit copies it back, so that the bytes a program leaves
 * unwritten in a record are those the kernel's would hold. Producers reserve under a spinlock (as the
 * kernel does), write their records without it, and commit with an atomic
 * exchange of the header; the consumer reads in order and stops at the
 * first busy record. */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "maps/ringbuf.h"

#define RINGBUF_PAGE 4096u
#define RINGBUF_CONSUMER_OFF (1 * RINGBUF_PAGE)
#define RINGBUF_PRODUCER_OFF (2 * RINGBUF_PAGE)
#define RINGBUF_DATA_OFF (3 * RINGBUF_PAGE)

struct ringbuf_consumer {
	_Atomic uint64_t consumer_pos;
	_Atomic uint32_t busy;
};

struct ringbuf_producer {
	_Atomic uint64_t producer_pos;
	uint64_t pending_pos; /* oldest record maybe not committed (under lock) */
	_Atomic uint32_t lock;
	_Atomic uint64_t wakeups;
};

struct ringbuf_hdr {
	_Atomic uint32_t len;
	uint32_t pg_off;
};

static struct ringbuf_consumer *rb_consumer(const struct map_region *region)
{
	return (struct ringbuf_consumer *)((uint8_t *)region + RINGBUF_CONSUMER_OFF);
}

static struct ringbuf_producer *rb_producer(const struct map_region *region)
{
	return (struct ringbuf_producer *)((uint8_t *)region + RINGBUF_PRODUCER_OFF);
}

static uint8_t *rb_data(const struct map_region *region)
{
	return (uint8_t *)region + RINGBUF_DATA_OFF;
}

static uint64_t rb_mask(const struct map_region *region)
{
	return (uint64_t)region->max_entries - 1;
}

static uint32_t rb_record_len(uint32_t len)
{
	return ((len & ~(RINGBUF_BUSY_BIT | RINGBUF_DISCARD_BIT)) + RINGBUF_HDR_SZ + 7u) & ~7u;
}

static void rb_lock(_Atomic uint32_t *lock)
{
	while (atomic_exchange_explicit(lock, 1, memory_order_acquire))
		while (atomic_load_explicit(lock, memory_order_relaxed))
			;
}

static void rb_unlock(_Atomic uint32_t *lock)
{
	atomic_store_explicit(lock, 0, memory_order_release);
}

/* ---- creation ------------------------------------------------------------ */

/* kernel/bpf/ringbuf.c ringbuf_map_alloc. */
static int ringbuf_check_attr(const struct map_attr *attr)
{
	long page = sysconf(_SC_PAGESIZE);
	uint32_t size = attr->max_entries;

	if (attr->map_flags & ~BPF_F_NUMA_NODE) {
		vm_error("map '%.16s': ringbuf map_flags 0x%x: only BPF_F_NUMA_NODE is allowed",
			 attr->name, attr->map_flags);
		return -EINVAL;
	}
	if (attr->key_size || attr->value_size) {
		vm_error("map '%.16s': ringbuf key_size and value_size must be 0 (got %u, %u)",
			 attr->name, attr->key_size, attr->value_size);
		return -EINVAL;
	}
	if (!size || (size & (size - 1)) || size % (uint32_t)(page > 0 ? page : 4096)) {
		vm_error("map '%.16s': ringbuf max_entries %u must be a power of 2 and a multiple "
			 "of the page size (%ld)", attr->name, size, page);
		return -EINVAL;
	}
	return 0;
}

static size_t ringbuf_region_size(const struct map_attr *attr)
{
	return RINGBUF_DATA_OFF + 2 * (size_t)attr->max_entries;
}

static int ringbuf_init(struct bpfvm_map *map)
{
	map->region->family[0] = RINGBUF_DATA_OFF;
	return 0;
}

/* ---- producers ----------------------------------------------------------- */

/* Moves pending_pos past the records already committed: a new record must
 * not reach the oldest one still busy (the kernel's overrun check). */
static uint64_t rb_advance_pending(const struct map_region *region, struct ringbuf_producer *prod,
				   uint64_t prod_pos)
{
	uint64_t pend_pos = prod->pending_pos;

	while (pend_pos < prod_pos) {
		struct ringbuf_hdr *hdr =
			(struct ringbuf_hdr *)(rb_data(region) + (pend_pos & rb_mask(region)));
		uint32_t len = atomic_load_explicit(&hdr->len, memory_order_acquire);

		if (len & RINGBUF_BUSY_BIT)
			break;
		pend_pos += rb_record_len(len);
	}
	prod->pending_pos = pend_pos;
	return pend_pos;
}

/* The bytes of a record of `len` at `pos` past the end of the data. */
static uint64_t rb_wrapped(const struct map_region *region, uint64_t pos, uint64_t len)
{
	uint64_t end = (pos & rb_mask(region)) + len, size = rb_mask(region) + 1;

	return end > size ? end - size : 0;
}

void *ringbuf_reserve(struct bpfvm_map *map, uint64_t size)
{
	const struct map_region *region = map->region;
	struct ringbuf_producer *prod = rb_producer(region);
	uint64_t mask = rb_mask(region), len, cons_pos, pend_pos, prod_pos;
	struct ringbuf_hdr *hdr;

	if (size > RINGBUF_MAX_RECORD_SZ)
		return NULL;
	len = (size + RINGBUF_HDR_SZ + 7u) & ~7ull;
	if (len > mask + 1)
		return NULL;
	rb_lock(&prod->lock);
	cons_pos = atomic_load_explicit(&rb_consumer(region)->consumer_pos, memory_order_acquire);
	prod_pos = atomic_load_explicit(&prod->producer_pos, memory_order_relaxed);
	pend_pos = rb_advance_pending(region, prod, prod_pos);
	if (prod_pos + len - cons_pos > mask || prod_pos + len - pend_pos > mask) {
		rb_unlock(&prod->lock);
		return NULL;
	}
	hdr = (struct ringbuf_hdr *)(rb_data(region) + (prod_pos & mask));
	memcpy(rb_data(region) + mask + 1, rb_data(region), rb_wrapped(region, prod_pos, len));
	hdr->pg_off = (uint32_t)(((uintptr_t)hdr - (uintptr_t)region) / RINGBUF_PAGE);
	atomic_store_explicit(&hdr->len, (uint32_t)size | RINGBUF_BUSY_BIT, memory_order_relaxed);
	atomic_store_explicit(&prod->producer_pos, prod_pos + len, memory_order_release);
	rb_unlock(&prod->lock);
	return hdr + 1;
}

void ringbuf_commit(void *sample, uint64_t flags, bool discard)
{
	struct ringbuf_hdr *hdr = (struct ringbuf_hdr *)sample - 1;
	const struct map_region *region =
		(const struct map_region *)(((uintptr_t)hdr & ~(uintptr_t)(RINGBUF_PAGE - 1)) -
					    (uintptr_t)hdr->pg_off * RINGBUF_PAGE);
	uint32_t new_len = atomic_load_explicit(&hdr->len, memory_order_relaxed) ^ RINGBUF_BUSY_BIT;
	uint64_t rec_pos = (uint64_t)((uint8_t *)hdr - rb_data(region)), cons_pos;

	if (discard)
		new_len |= RINGBUF_DISCARD_BIT;
	memcpy(rb_data(region), rb_data(region) + rb_mask(region) + 1,
	       rb_wrapped(region, rec_pos, rb_record_len(new_len)));
	atomic_exchange_explicit(&hdr->len, new_len, memory_order_acq_rel);
	/* A consumer that caught up waits for this very record. */
	cons_pos = atomic_load_explicit(&rb_consumer(region)->consumer_pos, memory_order_acquire) &
		   rb_mask(region);
	if ((flags & BPF_RB_FORCE_WAKEUP) || (cons_pos == rec_pos && !(flags & BPF_RB_NO_WAKEUP)))
		atomic_fetch_add_explicit(&rb_producer(region)->wakeups, 1, memory_order_relaxed);
}

uint64_t ringbuf_query(struct bpfvm_map *map, uint64_t flags)
{
	const struct map_region *region = map->region;
	uint64_t cons = atomic_load_explicit(&rb_consumer(region)->consumer_pos,
					     memory_order_acquire);
	uint64_t prod = atomic_load_explicit(&rb_producer(region)->producer_pos,
					     memory_order_acquire);

	switch (flags) {
	case BPF_RB_AVAIL_DATA:
		return prod - cons;
	case BPF_RB_RING_SIZE:
		return rb_mask(region) + 1;
	case BPF_RB_CONS_POS:
		return cons;
	case BPF_RB_PROD_POS:
		return prod;
	default:
		return 0;
	}
}

uint64_t ringbuf_wakeups(const struct bpfvm_map *map)
{
	return atomic_load(&rb_producer(map->region)->wakeups);
}

/* ---- the consumer -------------------------------------------------------- */

/* libbpf's ringbuf_process_ring: committed records in order, discarded ones
 * skipped; the consumer position moves past each record handed out, also
 * the one whose callback stops the walk. */
static int ringbuf_process(const struct map_region *region, bpfvm_ringbuf_sample_fn fn,
			   void *ctx)
{
	_Atomic uint64_t *consumer_pos = &rb_consumer(region)->consumer_pos;
	uint64_t cons_pos = atomic_load_explicit(consumer_pos, memory_order_acquire), prod_pos;
	int count = 0, err;

	for (;;) {
		prod_pos = atomic_load_explicit(&rb_producer(region)->producer_pos,
						memory_order_acquire);
		if (cons_pos >= prod_pos)
			return count;
		{
			struct ringbuf_hdr *hdr = (struct ringbuf_hdr *)(rb_data(region) +
									 (cons_pos & rb_mask(region)));
			uint32_t len = atomic_load_explicit(&hdr->len, memory_order_acquire);

			if (len & RINGBUF_BUSY_BIT)
				return count;
			cons_pos += rb_record_len(len);
			if (len & RINGBUF_DISCARD_BIT) {
				atomic_store_explicit(consumer_pos, cons_pos, memory_order_release);
				continue;
			}
			err = fn(ctx, hdr + 1, len);
			atomic_store_explicit(consumer_pos, cons_pos, memory_order_release);
			if (err)
				return err;
			count++;
		}
	}
}

int bpfvm_ringbuf_consume(struct bpfvm_map *map, bpfvm_ringbuf_sample_fn fn, void *ctx)
{
	struct ringbuf_consumer *consumer;
	int result;

	if (!map || !fn) {
		vm_error("bpfvm_ringbuf_consume: NULL map or callback");
		return -EINVAL;
	}
	if (map_type(map) != BPF_MAP_TYPE_RINGBUF) {
		vm_error("map '%s': bpfvm_ringbuf_consume needs a ringbuf map (type %u)",
			 map->region->name, map_type(map));
		return -EINVAL;
	}
	consumer = rb_consumer(map->region);
	if (atomic_exchange_explicit(&consumer->busy, 1, memory_order_acquire)) {
		vm_error("map '%s': another consumer is reading the ring buffer", map->region->name);
		return -EBUSY;
	}
	result = ringbuf_process(map->region, fn, ctx);
	atomic_store_explicit(&consumer->busy, 0, memory_order_release);
	return result;
}

/* User-space lookups, updates, deletes and keys: none (NULL ops), the generic
 * layer answers -ENOTSUPP as the kernel does. */
const struct map_ops ringbuf_map_ops = {
	.share_refusal = "its consumer state is this process's",
	.check_attr = ringbuf_check_attr,
	.region_size = ringbuf_region_size,
	.init = ringbuf_init,
};
