/* BPF_MAP_TYPE_RINGBUF.
 *
 * The region, with S = max_entries (a power of 2, a multiple of 4096):
 *
 *     0       +-----------------------------------+
 *             | struct map_region                 |
 *     4096    +-----------------------------------+
 *             | consumer page: consumer_pos,      |  written by the consumer
 *             |   owner (one consumer at a time)  |
 *     8192    +-----------------------------------+
 *             | producer page: producer_pos,      |  written by producers,
 *             |   pending_pos, lock, wakeups,     |  under lock
 *             |   reservation slots               |
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
 * unwritten in a record are those the kernel's would hold. Producers reserve
 * under the region's lock (a spinlock in the kernel), write their records
 * without it, and commit with an atomic exchange of the header; the consumer
 * reads in order and stops at the first busy record.
 *
 * The region may be a namespace's file, with producers and a consumer in
 * several processes (docs/namespace.md), any of which may be killed. The
 * lock is a bpf_spin_lock word (map_value.h: a dead holder's is taken
 * over) and the consumer's claim an owner word (map_owner.h). A producer
 * killed between reserve and submit would leave its record busy for ever,
 * which the kernel cannot: the consumer would stop there, and producers
 * once the ring wrapped to it. So each
 * reservation takes a slot in the producer page naming its position and
 * its thread, and the busy header names the slot (pg_off's bits above
 * RINGBUF_PG_OFF_BITS hold slot + 1; commit writes the kernel's pg_off
 * back). The consumer, when it finds a busy record at consumer_pos, asks,
 * under the lock, whether the slot's thread is alive, and if not commits
 * the record as discarded for it, as if the program had called
 * bpf_ringbuf_discard. A producer that finds every slot held does the same
 * for each slot (a producer killed after its commit and before it freed
 * its slot leaves the slot held). A private ring (no namespace) names its
 * producers and consumer by tid alone (map_owner_self): no /proc read to
 * reserve, commit or consume. */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "maps/map_owner.h"
#include "maps/map_value.h"
#include "maps/ringbuf.h"

#define RINGBUF_PAGE 4096u
#define RINGBUF_CONSUMER_OFF (1 * RINGBUF_PAGE)
#define RINGBUF_PRODUCER_OFF (2 * RINGBUF_PAGE)
#define RINGBUF_DATA_OFF (3 * RINGBUF_PAGE)

/* Records reserved and not yet committed, at once, in one ring: a program
 * holds a few at most; the kernel has no such limit (see differences.md). */
#define RINGBUF_SLOTS 128u
/* A region is at most 3 pages + 2 * 2^31 bytes: 2^20 + 3 pages. */
#define RINGBUF_PG_OFF_BITS 24u
#define RINGBUF_PG_OFF_MASK ((1u << RINGBUF_PG_OFF_BITS) - 1)

struct ringbuf_consumer {
	_Atomic uint64_t consumer_pos;
	_Atomic uint64_t owner; /* the thread consuming now (map_owner.h) */
};

/* A reservation: the record's position and its producer (0: free). */
struct ringbuf_slot {
	_Atomic uint64_t pos;
	_Atomic uint64_t owner;
};

struct ringbuf_producer {
	_Atomic uint64_t producer_pos;
	uint64_t pending_pos; /* oldest record maybe not committed (under lock) */
	_Atomic uint64_t wakeups;
	_Atomic uint32_t lock; /* a bpf_spin_lock word (map_value.h) */
	struct ringbuf_slot slots[RINGBUF_SLOTS];
};

_Static_assert(sizeof(struct ringbuf_producer) <= RINGBUF_PAGE, "the producer page overflows");

struct ringbuf_hdr {
	_Atomic uint32_t len;
	_Atomic uint32_t pg_off;
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

static struct ringbuf_hdr *rb_hdr(const struct map_region *region, uint64_t pos)
{
	return (struct ringbuf_hdr *)(rb_data(region) + (pos & rb_mask(region)));
}

static uint32_t rb_record_len(uint32_t len)
{
	return ((len & ~(RINGBUF_BUSY_BIT | RINGBUF_DISCARD_BIT)) + RINGBUF_HDR_SZ + 7u) & ~7u;
}

/* The producers' lock, held for a few stores: the kernel's spinlock, as a
 * bpf_spin_lock word that a waiter takes over from a holder that died
 * (map_value.h). That holder was between two stores of a reservation, none
 * of which is seen before producer_pos moves (its last store): nothing to
 * repair. */
static void rb_lock(struct ringbuf_producer *prod)
{
	map_spin_lock(&prod->lock);
}

static void rb_unlock(struct ringbuf_producer *prod)
{
	map_spin_unlock(&prod->lock);
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

/* A ring another process made: the positions must be those a ring can
 * have, so that no walk reads outside the data and its overflow (every
 * record between them is at most S bytes from the consumer). */
static int ringbuf_check_region(const struct map_region *region, const char **why)
{
	uint64_t size = rb_mask(region) + 1;
	uint64_t cons = atomic_load(&rb_consumer(region)->consumer_pos);
	uint64_t prod = atomic_load(&rb_producer(region)->producer_pos);
	uint64_t pend = rb_producer(region)->pending_pos;

	if (region->family[0] != RINGBUF_DATA_OFF) {
		*why = "its data offset is not the one its attributes give";
		return -EINVAL;
	}
	if ((cons | prod | pend) & 7 || cons > prod || prod - cons > size || pend > prod ||
	    prod - pend > size) {
		*why = "its consumer, producer or pending position is not one a ring can have";
		return -EINVAL;
	}
	return 0;
}

/* ---- producers ----------------------------------------------------------- */

/* Commits a busy record with its final len (BUSY cleared, DISCARD maybe
 * set): the wrapped part back to the ring's start, the kernel's pg_off,
 * then len, which the consumer reads first. */
static void rb_finish(const struct map_region *region, struct ringbuf_hdr *hdr, uint32_t new_len)
{
	uint64_t rec_pos = (uint64_t)((uint8_t *)hdr - rb_data(region));
	uint64_t end = rec_pos + rb_record_len(new_len), size = rb_mask(region) + 1;
	uint32_t pg_off = atomic_load_explicit(&hdr->pg_off, memory_order_relaxed);

	memcpy(rb_data(region), rb_data(region) + size, end > size ? end - size : 0);
	atomic_store_explicit(&hdr->pg_off, pg_off & RINGBUF_PG_OFF_MASK, memory_order_relaxed);
	atomic_exchange_explicit(&hdr->len, new_len, memory_order_acq_rel);
}

/* A slot whose producer died (under the lock): its record, if it is still
 * in the ring and busy, is discarded for it; the slot is free again.
 * Whether the record is the slot's: reservations happen under the lock,
 * so the ring between consumer_pos and producer_pos holds only records
 * reserved whole, and the header names its own slot. */
static bool rb_reap_slot(const struct map_region *region, uint32_t index)
{
	struct ringbuf_slot *slot = &rb_producer(region)->slots[index];
	uint64_t pos = atomic_load_explicit(&slot->pos, memory_order_relaxed);
	uint64_t cons = atomic_load_explicit(&rb_consumer(region)->consumer_pos,
					     memory_order_acquire);
	uint64_t prod = atomic_load_explicit(&rb_producer(region)->producer_pos,
					     memory_order_relaxed);

	if (!map_owner_dead(atomic_load_explicit(&slot->owner, memory_order_acquire)))
		return false;
	if (pos >= cons && pos < prod) {
		struct ringbuf_hdr *hdr = rb_hdr(region, pos);
		uint32_t len = atomic_load_explicit(&hdr->len, memory_order_acquire);
		uint32_t named = atomic_load_explicit(&hdr->pg_off, memory_order_relaxed) >>
				 RINGBUF_PG_OFF_BITS;

		if ((len & RINGBUF_BUSY_BIT) && named == index + 1)
			rb_finish(region, hdr, (len ^ RINGBUF_BUSY_BIT) | RINGBUF_DISCARD_BIT);
	}
	map_owner_release(&slot->owner);
	return true;
}

/* The busy record at `pos` (under the lock): discarded if its producer
 * died. Returns whether it was. */
static bool rb_reap_record(const struct map_region *region, uint64_t pos)
{
	uint32_t named = atomic_load_explicit(&rb_hdr(region, pos)->pg_off, memory_order_relaxed) >>
			 RINGBUF_PG_OFF_BITS;

	if (!named || named > RINGBUF_SLOTS ||
	    atomic_load_explicit(&rb_producer(region)->slots[named - 1].pos,
				 memory_order_relaxed) != pos)
		return false;
	return rb_reap_slot(region, named - 1);
}

/* A free slot for a record at `pos`, taken for this thread, named `self`
 * (under the lock); when all are held, those of dead producers are reaped
 * first. Returns its index, or -1. */
static int rb_slot_take(const struct map_region *region, uint64_t pos, uint64_t self)
{
	struct ringbuf_slot *slots = rb_producer(region)->slots;

	for (int round = 0; round < 2; round++) {
		for (uint32_t i = 0; i < RINGBUF_SLOTS; i++) {
			if (atomic_load_explicit(&slots[i].owner, memory_order_acquire) &&
			    (!round || !rb_reap_slot(region, i)))
				continue;
			atomic_store_explicit(&slots[i].pos, pos, memory_order_relaxed);
			atomic_store_explicit(&slots[i].owner, self, memory_order_relaxed);
			return (int)i;
		}
	}
	return -1;
}

/* Moves pending_pos past the records already committed: a new record must
 * not reach the oldest one still busy (the kernel's overrun check). */
static uint64_t rb_advance_pending(const struct map_region *region, struct ringbuf_producer *prod,
				   uint64_t prod_pos)
{
	uint64_t pend_pos = prod->pending_pos;

	while (pend_pos < prod_pos) {
		uint32_t len = atomic_load_explicit(&rb_hdr(region, pend_pos)->len,
						    memory_order_acquire);

		if (len & RINGBUF_BUSY_BIT)
			break;
		pend_pos += rb_record_len(len);
	}
	prod->pending_pos = pend_pos;
	return pend_pos;
}

/* Whether a record of `len` bytes fits at prod_pos (under the lock): the
 * kernel's two checks, against the consumer and the oldest busy record.
 * The consumer never passes a busy record, so the second only matters for
 * a consumer position written by hand, and a dead producer's record is
 * met first by the consumer, which discards it. */
static bool rb_has_room(const struct map_region *region, struct ringbuf_producer *prod,
			uint64_t prod_pos, uint64_t len)
{
	uint64_t mask = rb_mask(region);
	uint64_t cons_pos = atomic_load_explicit(&rb_consumer(region)->consumer_pos,
						 memory_order_acquire);

	if (prod_pos + len - cons_pos > mask)
		return false;
	return prod_pos + len - rb_advance_pending(region, prod, prod_pos) <= mask;
}

void *ringbuf_reserve(struct bpfvm_map *map, uint64_t size)
{
	const struct map_region *region = map->region;
	struct ringbuf_producer *prod = rb_producer(region);
	uint64_t mask = rb_mask(region), len, prod_pos, end, self;
	struct ringbuf_hdr *hdr;
	int slot;

	if (size > RINGBUF_MAX_RECORD_SZ)
		return NULL;
	len = (size + RINGBUF_HDR_SZ + 7u) & ~7ull;
	if (len > mask + 1)
		return NULL;
	/* Outside the lock: a shared ring's first reservation of a thread
	 * reads its start time from /proc; a private ring's never does. */
	self = map_owner_self(map->shared);
	rb_lock(prod);
	prod_pos = atomic_load_explicit(&prod->producer_pos, memory_order_relaxed);
	if (!rb_has_room(region, prod, prod_pos, len)) {
		rb_unlock(prod);
		return NULL;
	}
	slot = rb_slot_take(region, prod_pos, self);
	if (slot < 0) {
		rb_unlock(prod);
		return NULL;
	}
	hdr = rb_hdr(region, prod_pos);
	end = (prod_pos & mask) + len;
	memcpy(rb_data(region) + mask + 1, rb_data(region), end > mask + 1 ? end - mask - 1 : 0);
	atomic_store_explicit(&hdr->pg_off,
			      (uint32_t)(((uintptr_t)hdr - (uintptr_t)region) / RINGBUF_PAGE) |
				      (uint32_t)(slot + 1) << RINGBUF_PG_OFF_BITS,
			      memory_order_relaxed);
	atomic_store_explicit(&hdr->len, (uint32_t)size | RINGBUF_BUSY_BIT, memory_order_relaxed);
	atomic_store_explicit(&prod->producer_pos, prod_pos + len, memory_order_release);
	rb_unlock(prod);
	return hdr + 1;
}

void ringbuf_commit(void *sample, uint64_t flags, bool discard)
{
	struct ringbuf_hdr *hdr = (struct ringbuf_hdr *)sample - 1;
	uint32_t pg_off = atomic_load_explicit(&hdr->pg_off, memory_order_relaxed);
	const struct map_region *region =
		(const struct map_region *)(((uintptr_t)hdr & ~(uintptr_t)(RINGBUF_PAGE - 1)) -
					    (uintptr_t)(pg_off & RINGBUF_PG_OFF_MASK) *
						    RINGBUF_PAGE);
	uint32_t new_len = atomic_load_explicit(&hdr->len, memory_order_relaxed) ^ RINGBUF_BUSY_BIT;
	uint64_t rec_pos = (uint64_t)((uint8_t *)hdr - rb_data(region)), cons_pos;
	uint32_t slot = pg_off >> RINGBUF_PG_OFF_BITS;

	if (discard)
		new_len |= RINGBUF_DISCARD_BIT;
	rb_finish(region, hdr, new_len);
	if (slot)
		map_owner_release(&rb_producer(region)->slots[slot - 1].owner);
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

/* The busy record at the consumer's position: discarded if its producer
 * died, so that reading goes on. Returns whether it was. */
static bool rb_consumer_reap(const struct map_region *region, uint64_t cons_pos)
{
	struct ringbuf_producer *prod = rb_producer(region);
	bool reaped;

	rb_lock(prod);
	reaped = rb_reap_record(region, cons_pos);
	rb_unlock(prod);
	return reaped;
}

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
		struct ringbuf_hdr *hdr = rb_hdr(region, cons_pos);
		uint32_t len;

		prod_pos = atomic_load_explicit(&rb_producer(region)->producer_pos,
						memory_order_acquire);
		if (cons_pos >= prod_pos)
			return count;
		len = atomic_load_explicit(&hdr->len, memory_order_acquire);
		if (len & RINGBUF_BUSY_BIT) {
			if (rb_consumer_reap(region, cons_pos))
				continue;
			return count;
		}
		/* Every record was reserved whole before producer_pos passed
		 * it: one that runs past is a region written by hand. */
		if (rb_record_len(len) > prod_pos - cons_pos) {
			vm_error("map '%s': the record at %llu runs past the producer position",
				 region->name, (unsigned long long)cons_pos);
			return -EINVAL;
		}
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
	/* One consumer at a time, in any process; one killed while reading
	 * leaves its claim to the next. */
	if (map_owner_claim_as(&consumer->owner, map_owner_self(map->shared))) {
		vm_error("map '%s': another consumer is reading the ring buffer", map->region->name);
		return -EBUSY;
	}
	result = ringbuf_process(map->region, fn, ctx);
	map_owner_release(&consumer->owner);
	return result;
}

/* User-space lookups, updates, deletes and keys: none (NULL ops), the generic
 * layer answers -ENOTSUPP as the kernel does. */
const struct map_ops ringbuf_map_ops = {
	.share = MAP_SHARE_RW,
	.check_attr = ringbuf_check_attr,
	.region_size = ringbuf_region_size,
	.init = ringbuf_init,
	.check_region = ringbuf_check_region,
};
