/* BPF_MAP_TYPE_RINGBUF (src/maps/ringbuf.c): creation rules, the record
 * protocol (reserve, submit, discard, busy records), a full ring, records
 * that wrap, query and wakeup flags, and several producers in threads with
 * a concurrent consumer. The program side is tested through programs in
 * test_helpers_programs.c. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "maps/map.h"
#include "maps/ringbuf.h"
#include "testlib.h"

static struct bpfvm *vm;

static int ringbuf_create(uint32_t key_size, uint32_t value_size, uint32_t max_entries,
			  uint32_t flags, struct bpfvm_map **map)
{
	struct map_attr attr = { .type = BPF_MAP_TYPE_RINGBUF, .key_size = key_size,
				 .value_size = value_size, .max_entries = max_entries,
				 .map_flags = flags, .nr_cpus = bpfvm_nr_cpus(vm), .name = "rb" };

	*map = NULL;
	return map_create(vm, &attr, map);
}

static struct bpfvm_map *ringbuf_new(uint32_t size)
{
	struct bpfvm_map *map;
	int err = ringbuf_create(0, 0, size, 0, &map);

	if (err) {
		fprintf(stderr, "cannot create a ringbuf: %d %s\n", err, bpfvm_errmsg());
		exit(2);
	}
	return map;
}

static void expect_create_error(const char *test, uint32_t key_size, uint32_t value_size,
				uint32_t max_entries, uint32_t flags, const char *message)
{
	struct bpfvm_map *map;
	int err = ringbuf_create(key_size, value_size, max_entries, flags, &map);

	testlib_check(test, err == -EINVAL && strstr(bpfvm_errmsg(), message),
		      "error %d, message \"%s\" (want -EINVAL and \"%s\")", err, bpfvm_errmsg(),
		      message);
	map_put_user(map);
}

static void test_creation(void)
{
	struct bpfvm_map *map;
	int err;

	expect_create_error("ringbuf_with_a_key_size_is_rejected", 4, 0, 4096, 0,
			    "key_size and value_size must be 0");
	expect_create_error("ringbuf_with_a_value_size_is_rejected", 0, 8, 4096, 0,
			    "key_size and value_size must be 0");
	expect_create_error("ringbuf_size_not_a_power_of_2_is_rejected", 0, 0, 3 * 4096, 0,
			    "power of 2");
	expect_create_error("ringbuf_size_below_a_page_is_rejected", 0, 0, 2048, 0,
			    "multiple of the page size");
	expect_create_error("ringbuf_size_zero_is_rejected", 0, 0, 0, 0, "power of 2");
	expect_create_error("ringbuf_flags_other_than_numa_are_rejected", 0, 0, 4096,
			    BPF_F_NO_PREALLOC, "only BPF_F_NUMA_NODE");
	err = ringbuf_create(0, 0, 1u << 16, BPF_F_NUMA_NODE, &map);
	testlib_check("ringbuf_of_64_KiB_with_numa_flag_is_created", !err, "error %d (%s)", err,
		      bpfvm_errmsg());
	map_put_user(map);
}

/* ---- consuming ----------------------------------------------------------- */

struct collected {
	int count;
	size_t sizes[64];
	uint8_t first_bytes[64];
	int stop_at; /* return this record's index + 100 from the callback; -1: never */
};

static int collect(void *ctx, void *data, size_t size)
{
	struct collected *c = ctx;
	int idx = c->count;

	if (idx < 64) {
		c->sizes[idx] = size;
		c->first_bytes[idx] = size ? *(uint8_t *)data : 0;
	}
	c->count++;
	return idx == c->stop_at ? idx + 100 : 0;
}

static void *reserve_filled(struct bpfvm_map *map, uint64_t size, uint8_t byte)
{
	void *record = ringbuf_reserve(map, size);

	if (record)
		memset(record, byte, size);
	return record;
}

static void test_records_in_order(void)
{
	struct bpfvm_map *map = ringbuf_new(4096);
	struct collected c = { .stop_at = -1 };
	void *a = reserve_filled(map, 5, 'a'), *b = reserve_filled(map, 16, 'b');
	void *d = reserve_filled(map, 0, 'd');
	int n;

	ringbuf_commit(a, 0, false);
	ringbuf_commit(b, 0, true);
	ringbuf_commit(d, 0, false);
	n = bpfvm_ringbuf_consume(map, collect, &c);
	testlib_check("consume_returns_committed_records_in_order_and_skips_discarded",
		      n == 2 && c.count == 2 && c.sizes[0] == 5 && c.first_bytes[0] == 'a' &&
			      c.sizes[1] == 0,
		      "returned %d, %d records, sizes %zu %zu", n, c.count, c.sizes[0], c.sizes[1]);
	n = bpfvm_ringbuf_consume(map, collect, &c);
	testlib_check("consume_after_everything_was_read_returns_0", n == 0, "returned %d", n);
	map_put_user(map);
}

/* A busy (reserved, not committed) record stops the consumer, also when
 * records after it are committed, as in the kernel. */
static void test_busy_record_blocks(void)
{
	struct bpfvm_map *map = ringbuf_new(4096);
	struct collected c = { .stop_at = -1 };
	void *a = reserve_filled(map, 8, 'a'), *b = reserve_filled(map, 8, 'b');
	int n;

	ringbuf_commit(b, 0, false);
	n = bpfvm_ringbuf_consume(map, collect, &c);
	testlib_check("busy_record_stops_the_consumer", n == 0 && c.count == 0, "returned %d", n);
	ringbuf_commit(a, 0, false);
	n = bpfvm_ringbuf_consume(map, collect, &c);
	testlib_check("records_after_a_committed_busy_one_follow", n == 2 &&
		      c.first_bytes[0] == 'a' && c.first_bytes[1] == 'b', "returned %d", n);
	map_put_user(map);
}

/* A callback's non-zero return stops the walk and is returned; that record
 * counts as consumed (libbpf's ring_buffer__consume). */
static void test_callback_stops(void)
{
	struct bpfvm_map *map = ringbuf_new(4096);
	struct collected c = { .stop_at = 1 };
	int n;

	for (int i = 0; i < 3; i++)
		ringbuf_commit(reserve_filled(map, 4, (uint8_t)('0' + i)), 0, false);
	n = bpfvm_ringbuf_consume(map, collect, &c);
	testlib_check("callback_return_stops_the_walk_and_is_returned", n == 101 && c.count == 2,
		      "returned %d after %d records", n, c.count);
	c = (struct collected){ .stop_at = -1 };
	n = bpfvm_ringbuf_consume(map, collect, &c);
	testlib_check("walk_resumes_after_the_record_that_stopped_it",
		      n == 1 && c.first_bytes[0] == '2', "returned %d, first byte %c", n,
		      c.first_bytes[0]);
	map_put_user(map);
}

/* 4096 bytes: a record takes round_up(size + 8, 8) and the producer may not
 * get max_entries bytes ahead of the consumer. */
static void test_full_ring(void)
{
	struct bpfvm_map *map = ringbuf_new(4096);
	struct collected c = { .stop_at = -1 };
	void *records[5];
	int reserved = 0;

	for (int i = 0; i < 5; i++) {
		records[i] = reserve_filled(map, 1000, (uint8_t)i);
		reserved += records[i] != NULL;
	}
	testlib_check("full_ring_refuses_a_reservation", reserved == 4 && !records[4],
		      "%d reservations of 1008 bytes in 4096", reserved);
	for (int i = 0; i < 4; i++)
		ringbuf_commit(records[i], 0, false);
	bpfvm_ringbuf_consume(map, collect, &c);
	records[0] = reserve_filled(map, 1000, 9);
	testlib_check("consuming_makes_room_again", records[0] != NULL, "reserve failed");
	ringbuf_commit(records[0], 0, true);
	bpfvm_ringbuf_consume(map, collect, &c);
	testlib_check("largest_record_is_ring_size_minus_16", ringbuf_reserve(map, 4081) == NULL,
		      "4081 bytes reserved in a 4096-byte ring");
	records[0] = ringbuf_reserve(map, 4080);
	testlib_check("record_of_ring_size_minus_16_fits_an_empty_ring", records[0] != NULL,
		      "4080 bytes refused");
	if (records[0])
		ringbuf_commit(records[0], 0, true);
	testlib_check("record_above_the_kernel_maximum_is_refused",
		      ringbuf_reserve(map, (uint64_t)RINGBUF_MAX_RECORD_SZ + 1) == NULL, "reserved");
	map_put_user(map);
}

struct checked {
	int count, bad;
	uint32_t next;
};

static int check_sequence(void *ctx, void *data, size_t size)
{
	struct checked *c = ctx;
	uint32_t seq;

	memcpy(&seq, data, sizeof(seq));
	for (size_t i = sizeof(seq); i < size; i++)
		c->bad += ((uint8_t *)data)[i] != (uint8_t)(seq + i);
	c->bad += seq != c->next || size != 4 + seq % 1500;
	c->next++;
	c->count++;
	return 0;
}

/* Records of odd sizes, written and read 2000 times: many of them run past
 * the end of the data area and must read back whole. */
static void test_wrapping_records(void)
{
	struct bpfvm_map *map = ringbuf_new(8192);
	struct checked c = { 0 };

	for (uint32_t seq = 0; seq < 2000; seq++) {
		size_t size = 4 + seq % 1500;
		uint8_t *record = ringbuf_reserve(map, size);

		if (!record) {
			bpfvm_ringbuf_consume(map, check_sequence, &c);
			record = ringbuf_reserve(map, size);
		}
		if (!record) {
			c.bad++;
			break;
		}
		memcpy(record, &seq, sizeof(seq));
		for (size_t i = sizeof(seq); i < size; i++)
			record[i] = (uint8_t)(seq + i);
		ringbuf_commit(record, 0, false);
	}
	bpfvm_ringbuf_consume(map, check_sequence, &c);
	testlib_check("records_that_wrap_read_back_whole", c.count == 2000 && !c.bad,
		      "%d records, %d bad", c.count, c.bad);
	map_put_user(map);
}

static void test_query_and_wakeups(void)
{
	struct bpfvm_map *map = ringbuf_new(4096);
	struct collected c = { .stop_at = -1 };
	void *a, *b;
	uint64_t before;

	a = reserve_filled(map, 10, 1);
	testlib_check("query_ring_size", ringbuf_query(map, BPF_RB_RING_SIZE) == 4096, "%llu",
		      (unsigned long long)ringbuf_query(map, BPF_RB_RING_SIZE));
	testlib_check("query_avail_data_counts_reserved_records_with_headers",
		      ringbuf_query(map, BPF_RB_AVAIL_DATA) == 24, "%llu",
		      (unsigned long long)ringbuf_query(map, BPF_RB_AVAIL_DATA));
	testlib_check("query_prod_pos", ringbuf_query(map, BPF_RB_PROD_POS) == 24, "%llu",
		      (unsigned long long)ringbuf_query(map, BPF_RB_PROD_POS));
	testlib_check("query_unknown_flag_is_0", ringbuf_query(map, 1 << 10) == 0, "nonzero");
	before = ringbuf_wakeups(map);
	ringbuf_commit(a, BPF_RB_NO_WAKEUP, false);
	testlib_check("no_wakeup_flag_sends_no_notification", ringbuf_wakeups(map) == before,
		      "notified");
	bpfvm_ringbuf_consume(map, collect, &c);
	testlib_check("query_cons_pos_after_consuming", ringbuf_query(map, BPF_RB_CONS_POS) == 24 &&
		      ringbuf_query(map, BPF_RB_AVAIL_DATA) == 0, "cons %llu",
		      (unsigned long long)ringbuf_query(map, BPF_RB_CONS_POS));
	a = reserve_filled(map, 10, 2);
	b = reserve_filled(map, 10, 3);
	ringbuf_commit(b, 0, false);
	testlib_check("record_behind_the_consumer_position_sends_no_notification",
		      ringbuf_wakeups(map) == before, "notified");
	ringbuf_commit(a, 0, false);
	testlib_check("record_at_the_consumer_position_notifies", ringbuf_wakeups(map) == before + 1,
		      "%llu notifications", (unsigned long long)(ringbuf_wakeups(map) - before));
	b = reserve_filled(map, 10, 4);
	ringbuf_commit(b, BPF_RB_FORCE_WAKEUP, false);
	testlib_check("force_wakeup_notifies_always", ringbuf_wakeups(map) == before + 2,
		      "%llu notifications", (unsigned long long)(ringbuf_wakeups(map) - before));
	map_put_user(map);
}

/* ---- producers in threads ------------------------------------------------ */

#define PRODUCERS 4
#define RECORDS_PER_PRODUCER 5000

struct producer_arg {
	struct bpfvm_map *map;
	uint32_t id;
};

static void *producer(void *arg)
{
	struct producer_arg *p = arg;

	for (uint32_t seq = 0; seq < RECORDS_PER_PRODUCER; seq++) {
		size_t size = 8 + (seq % 7) * 4;
		uint32_t *record;

		while (!(record = ringbuf_reserve(p->map, size)))
			sched_yield(); /* the ring is full: let the consumer run */
		record[0] = p->id;
		record[1] = seq;
		ringbuf_commit(record, 0, seq % 5 == 4);
	}
	return NULL;
}

struct multi_consumer {
	uint32_t next[PRODUCERS];
	int bad, count;
};

static int check_producer(void *ctx, void *data, size_t size)
{
	struct multi_consumer *c = ctx;
	uint32_t id = ((uint32_t *)data)[0], seq = ((uint32_t *)data)[1];

	if (id >= PRODUCERS || size != 8 + (seq % 7) * 4) {
		c->bad++;
		return 0;
	}
	/* Discarded records (every fifth) never arrive. */
	if (c->next[id] % 5 == 4)
		c->next[id]++;
	c->bad += seq != c->next[id];
	c->next[id] = seq + 1;
	c->count++;
	return 0;
}

static void test_producers_in_threads(void)
{
	struct bpfvm_map *map = ringbuf_new(4096);
	struct producer_arg args[PRODUCERS];
	pthread_t threads[PRODUCERS];
	struct multi_consumer c = { 0 };
	int expected = PRODUCERS * (RECORDS_PER_PRODUCER - RECORDS_PER_PRODUCER / 5);

	for (uint32_t t = 0; t < PRODUCERS; t++) {
		args[t] = (struct producer_arg){ map, t };
		pthread_create(&threads[t], NULL, producer, &args[t]);
	}
	/* A small ring: the producers wait for this consumer all along. */
	while (c.count < expected && !c.bad)
		bpfvm_ringbuf_consume(map, check_producer, &c);
	for (uint32_t t = 0; t < PRODUCERS; t++)
		pthread_join(threads[t], NULL);
	bpfvm_ringbuf_consume(map, check_producer, &c);
	testlib_check("records_of_concurrent_producers_arrive_once_each_in_order",
		      !c.bad && c.count == expected, "%d records (want %d), %d out of order", c.count,
		      expected, c.bad);
	map_put_user(map);
}

static void test_api_errors(void)
{
	struct bpfvm_map *map = ringbuf_new(4096);
	uint32_t key = 0, value = 0;
	int err;

	err = bpfvm_ringbuf_consume(NULL, collect, NULL);
	testlib_check("consume_with_null_map_is_einval", err == -EINVAL, "error %d", err);
	err = bpfvm_ringbuf_consume(map, NULL, NULL);
	testlib_check("consume_with_null_callback_is_einval", err == -EINVAL, "error %d", err);
	/* The kernel's __bpf_copy_key: a map without keys takes a NULL key
	 * (-EINVAL otherwise); then the ringbuf has no element ops. */
	err = bpfvm_map_lookup(map, &key, &value);
	testlib_check("ringbuf_user_lookup_with_a_key_is_einval_as_the_kernel", err == -EINVAL,
		      "error %d (%s)", err, bpfvm_errmsg());
	err = bpfvm_map_lookup(map, NULL, &value);
	testlib_check("ringbuf_user_lookup_is_enotsupp_as_the_kernel", err == -524 &&
		      strstr(bpfvm_errmsg(), "rb"), "error %d (%s)", err, bpfvm_errmsg());
	err = bpfvm_map_update(map, NULL, &value, 0);
	testlib_check("ringbuf_user_update_is_enotsupp_as_the_kernel", err == -524, "error %d", err);
	map_put_user(map);
}

int main(void)
{
	if (bpfvm_create(NULL, &vm)) {
		fprintf(stderr, "cannot create a runtime: %s\n", bpfvm_errmsg());
		return 2;
	}
	test_creation();
	test_records_in_order();
	test_busy_record_blocks();
	test_callback_stops();
	test_full_ring();
	test_wrapping_records();
	test_query_and_wakeups();
	test_producers_in_threads();
	test_api_errors();
	bpfvm_destroy(vm);
	return testlib_summary();
}
