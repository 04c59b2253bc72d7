/* BPF_MAP_TYPE_PERF_EVENT_ARRAY (src/maps/perf_event_array.c): one perf ring
 * per virtual CPU, the kernel's errors for the index, no records without a
 * reader, lost records when a buffer is full, records that wrap, and the
 * reader's order. The helper is tested through programs in
 * test_helpers_programs.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "maps/map.h"
#include "maps/perf_event_array.h"
#include "testlib.h"

static struct bpfvm *vm; /* 4 virtual CPUs */

static int perf_array_create(uint32_t key_size, uint32_t value_size, uint32_t max_entries,
			     struct bpfvm_map **map)
{
	struct map_attr attr = { .type = BPF_MAP_TYPE_PERF_EVENT_ARRAY, .key_size = key_size,
				 .value_size = value_size, .max_entries = max_entries,
				 .nr_cpus = bpfvm_nr_cpus(vm), .name = "events" };

	*map = NULL;
	return map_create(vm, &attr, map);
}

/* A perf event array with its reader open. */
static struct bpfvm_map *perf_array_new(uint32_t max_entries)
{
	struct bpfvm_map *map;
	int err = perf_array_create(4, 4, max_entries, &map);

	if (!err)
		err = bpfvm_perf_buffer_open(map);
	if (err) {
		fprintf(stderr, "cannot create a perf event array: %d %s\n", err, bpfvm_errmsg());
		exit(2);
	}
	return map;
}

struct samples {
	int count;
	int cpus[64];
	uint32_t sizes[64];
	uint8_t bytes[64][16];
	uint64_t lost[8];
	int lost_calls;
};

static void on_sample(void *ctx, int cpu, void *data, uint32_t size)
{
	struct samples *s = ctx;

	if (s->count < 64) {
		s->cpus[s->count] = cpu;
		s->sizes[s->count] = size;
		memcpy(s->bytes[s->count], data, size < 16 ? size : 16);
	}
	s->count++;
}

static void on_lost(void *ctx, int cpu, uint64_t lost)
{
	struct samples *s = ctx;

	s->lost[cpu] += lost;
	s->lost_calls++;
}

static void test_creation(void)
{
	struct bpfvm_map *map;
	int err = perf_array_create(8, 4, 4, &map);

	testlib_check("perf_event_array_key_size_must_be_4", err == -EINVAL &&
		      strstr(bpfvm_errmsg(), "must be 4"), "error %d (%s)", err, bpfvm_errmsg());
	err = perf_array_create(4, 8, 4, &map);
	testlib_check("perf_event_array_value_size_must_be_4", err == -EINVAL, "error %d", err);
	err = perf_array_create(4, 4, 0, &map);
	testlib_check("perf_event_array_max_entries_must_not_be_0", err == -EINVAL &&
		      strstr(bpfvm_errmsg(), "max_entries"), "error %d (%s)", err, bpfvm_errmsg());
}

static void test_index_errors(void)
{
	struct bpfvm_map *two = perf_array_new(2), *eight = perf_array_new(8);
	int err;

	err = perf_event_array_output(two, 2, 2, "x", 1, NULL, 0);
	testlib_check("index_at_max_entries_is_e2big", err == -E2BIG, "error %d", err);
	err = perf_event_array_output(eight, 5, 5, "x", 1, NULL, 0);
	testlib_check("index_beyond_the_cpus_has_no_buffer_enoent", err == -ENOENT, "error %d",
		      err);
	err = perf_event_array_output(eight, 1, 0, "x", 1, NULL, 0);
	testlib_check("another_cpus_buffer_is_eopnotsupp", err == -EOPNOTSUPP, "error %d", err);
	map_put_user(two);
	map_put_user(eight);
}

/* Samples come back as libbpf's perf_buffer hands them: the raw size the
 * kernel records (data zero-padded so that size + 4 is a multiple of 8),
 * CPU by CPU, oldest first. */
static void test_samples(void)
{
	struct bpfvm_map *map = perf_array_new(4);
	struct samples s = { 0 };
	int n;

	perf_event_array_output(map, 1, 1, "one", 3, NULL, 0);
	perf_event_array_output(map, 0, 0, "zero", 4, NULL, 0);
	perf_event_array_output(map, 1, 1, "data", 4, "+ctx", 4);
	n = bpfvm_perf_buffer_consume(map, on_sample, on_lost, &s);
	testlib_check("consume_returns_the_number_of_samples", n == 3, "returned %d", n);
	testlib_check("samples_come_cpu_by_cpu_oldest_first",
		      s.cpus[0] == 0 && s.cpus[1] == 1 && s.cpus[2] == 1 &&
			      !memcmp(s.bytes[0], "zero", 4) && !memcmp(s.bytes[1], "one", 3),
		      "cpus %d %d %d", s.cpus[0], s.cpus[1], s.cpus[2]);
	testlib_check("sample_size_is_padded_as_the_kernel_records_it",
		      s.sizes[0] == 4 && s.sizes[1] == 4 && s.sizes[2] == 12 &&
			      !memcmp(s.bytes[1], "one\0", 4),
		      "sizes %u %u %u", s.sizes[0], s.sizes[1], s.sizes[2]);
	testlib_check("extra_bytes_follow_the_data", !memcmp(s.bytes[2], "data+ctx\0\0\0\0", 12),
		      "bytes \"%.12s\"", (char *)s.bytes[2]);
	testlib_check("no_lost_callback_when_nothing_was_lost", s.lost_calls == 0, "%d calls",
		      s.lost_calls);
	n = bpfvm_perf_buffer_consume(map, on_sample, on_lost, &s);
	testlib_check("consumed_samples_are_gone", n == 0, "returned %d", n);
	map_put_user(map);
}

/* A full buffer drops the record and counts it; the reader learns how many
 * were lost, as from perf's PERF_RECORD_LOST. */
static void test_full_buffer(void)
{
	struct bpfvm_map *map = perf_array_new(4);
	struct samples s = { 0 };
	uint8_t sample[1000] = { 0 };
	int written = 0, err = 0, n;

	while (!(err = perf_event_array_output(map, 2, 2, sample, sizeof(sample), NULL, 0)))
		written++;
	testlib_check("full_buffer_is_enospc", err == -ENOSPC, "error %d", err);
	testlib_check("buffer_holds_64_KiB_of_records", written == PERF_BUFFER_DATA_SIZE / 1016,
		      "%d records of 1016 bytes", written);
	perf_event_array_output(map, 2, 2, sample, sizeof(sample), NULL, 0);
	n = bpfvm_perf_buffer_consume(map, on_sample, on_lost, &s);
	testlib_check("lost_records_are_reported_per_cpu",
		      n == written && s.lost_calls == 1 && s.lost[2] == 2, "%d samples, lost %llu",
		      n, (unsigned long long)s.lost[2]);
	err = perf_event_array_output(map, 2, 2, sample, sizeof(sample), NULL, 0);
	testlib_check("reading_makes_room_again", !err, "error %d", err);
	err = perf_event_array_output(map, 2, 2, sample, 70000, NULL, 0);
	testlib_check("sample_larger_than_a_perf_record_is_lost", err == -ENOSPC, "error %d", err);
	map_put_user(map);
}

struct sequence {
	uint32_t next;
	int bad;
};

static void check_sequence(void *ctx, int cpu, void *data, uint32_t size)
{
	struct sequence *s = ctx;
	uint32_t seq;

	memcpy(&seq, data, 4);
	s->bad += seq != s->next || size < 4 + seq % 3000 ||
		  ((uint8_t *)data)[4 + seq % 3000 - 1] != (uint8_t)seq;
	s->next++;
}

/* Odd sizes, written and read 3000 times: records wrap around the end. */
static void test_wrapping(void)
{
	struct bpfvm_map *map = perf_array_new(1);
	struct sequence s = { 0 };
	uint8_t *sample = calloc(1, 4000);

	for (uint32_t seq = 0; seq < 3000; seq++) {
		uint32_t size = 4 + seq % 3000;

		memcpy(sample, &seq, 4);
		sample[size - 1] = (uint8_t)seq;
		if (perf_event_array_output(map, 0, 0, sample, size, NULL, 0)) {
			bpfvm_perf_buffer_consume(map, check_sequence, NULL, &s);
			s.bad += perf_event_array_output(map, 0, 0, sample, size, NULL, 0) != 0;
		}
	}
	bpfvm_perf_buffer_consume(map, check_sequence, NULL, &s);
	testlib_check("records_that_wrap_read_back_whole", s.next == 3000 && !s.bad,
		      "%u records, %d bad", s.next, s.bad);
	free(sample);
	map_put_user(map);
}

/* The kernel's __bpf_perf_event_output: a slot without a perf event is
 * -ENOENT, checked after the index and before the CPU. */
static void test_no_reader(void)
{
	struct bpfvm_map *map;
	struct samples s = { 0 };
	int err = perf_array_create(4, 4, 4, &map), n;

	if (err) {
		fprintf(stderr, "cannot create a perf event array: %d %s\n", err, bpfvm_errmsg());
		exit(2);
	}
	err = perf_event_array_output(map, 1, 1, "x", 1, NULL, 0);
	testlib_check("output_without_a_reader_is_enoent", err == -ENOENT, "error %d", err);
	err = perf_event_array_output(map, 2, 1, "x", 1, NULL, 0);
	testlib_check("another_cpus_slot_without_a_reader_is_enoent_not_eopnotsupp",
		      err == -ENOENT, "error %d", err);
	err = perf_event_array_output(map, 4, 1, "x", 1, NULL, 0);
	testlib_check("index_at_max_entries_is_e2big_without_a_reader_too", err == -E2BIG,
		      "error %d", err);
	n = bpfvm_perf_buffer_consume(map, on_sample, on_lost, &s);
	testlib_check("consume_without_a_reader_finds_nothing", n == 0 && s.lost_calls == 0,
		      "returned %d, %d lost calls", n, s.lost_calls);

	err = bpfvm_perf_buffer_open(map);
	testlib_check("open_a_reader", err == 0, "error %d (%s)", err, bpfvm_errmsg());
	err = bpfvm_perf_buffer_open(map);
	testlib_check("open_twice_is_eexist", err == -EEXIST, "error %d", err);
	err = perf_event_array_output(map, 1, 1, "kept", 4, NULL, 0);
	err = err ? err : perf_event_array_output(map, 3, 3, "drop", 4, NULL, 0);
	testlib_check("an_open_reader_takes_records_on_every_cpu", err == 0, "error %d", err);
	n = bpfvm_perf_buffer_consume(map, on_sample, on_lost, &s);
	testlib_check("the_reader_reads_them", n == 2 && !memcmp(s.bytes[0], "kept", 4),
		      "returned %d", n);
	perf_event_array_output(map, 1, 1, "gone", 4, NULL, 0);

	err = bpfvm_perf_buffer_close(map);
	testlib_check("close_the_reader", err == 0, "error %d (%s)", err, bpfvm_errmsg());
	err = perf_event_array_output(map, 1, 1, "x", 1, NULL, 0);
	testlib_check("output_after_close_is_enoent", err == -ENOENT, "error %d", err);
	err = bpfvm_perf_buffer_close(map);
	testlib_check("close_without_a_reader_is_enoent", err == -ENOENT, "error %d", err);
	err = bpfvm_perf_buffer_open(map);
	n = bpfvm_perf_buffer_consume(map, on_sample, on_lost, &s);
	testlib_check("a_reopened_reader_starts_empty", err == 0 && n == 0, "error %d, %d records",
		      err, n);
	map_put_user(map);
}

static void test_api_errors(void)
{
	struct samples s = { 0 };
	struct bpfvm_map *array;
	int err = bpfvm_perf_buffer_consume(NULL, on_sample, NULL, &s);

	testlib_check("consume_with_null_map_is_einval", err == -EINVAL, "error %d", err);
	err = bpfvm_perf_buffer_open(NULL);
	testlib_check("open_with_null_map_is_einval", err == -EINVAL, "error %d", err);
	if (bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY, "array", 4, 4, 1, NULL, &array)) {
		fprintf(stderr, "cannot create an array: %s\n", bpfvm_errmsg());
		exit(2);
	}
	err = bpfvm_perf_buffer_open(array);
	testlib_check("open_on_another_map_type_is_einval", err == -EINVAL, "error %d", err);
	err = bpfvm_perf_buffer_close(array);
	testlib_check("close_on_another_map_type_is_einval", err == -EINVAL, "error %d", err);
	bpfvm_map_close(array);
}

int main(void)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = 4 };

	if (bpfvm_create(&opts, &vm)) {
		fprintf(stderr, "cannot create a runtime: %s\n", bpfvm_errmsg());
		return 2;
	}
	test_creation();
	test_index_errors();
	test_samples();
	test_full_buffer();
	test_wrapping();
	test_no_reader();
	test_api_errors();
	bpfvm_destroy(vm);
	return testlib_summary();
}
