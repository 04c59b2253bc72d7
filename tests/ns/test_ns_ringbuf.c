/* RINGBUF and PERF_EVENT_ARRAY maps shared by the processes of a namespace
 * (docs/namespace.md, "Ring buffers and perf buffers"): programs of some
 * processes write records that another process reads, in order and whole;
 * a full ring or buffer refuses as the kernel's does; and producers,
 * consumers and readers killed at any moment (kill -9) never leave a ring
 * that others cannot use.
 *
 * Usage: test_ns_ringbuf OBJDIR ring|perf */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "maps/map.h"
#include "maps/map_value.h"
#include "maps/perf_event_array.h"
#include "maps/ringbuf.h"
#include "ns/ns_testlib.h"
#include "testlib.h"

#define EVENT_WORDS 6
#define MAX_PRODUCERS 64
#define MAX_SEQ (1u << 20)

/* ns_ring.bpf.c's */
struct request {
	uint32_t producer;
	uint32_t seq;
	uint32_t small;
	uint32_t spin;
	uint8_t pad[48]; /* a packet at least as long as an Ethernet header */
};

struct event {
	uint32_t producer;
	uint32_t seq;
	uint64_t words[EVENT_WORDS];
};

static const char *objdir;
static int ready_pipe[2];

static uint64_t event_word(uint32_t producer, uint32_t seq, int i)
{
	return ((uint64_t)producer << 40) ^ ((uint64_t)seq << 8) ^ (uint64_t)i;
}

static struct bpfvm_object *load(struct bpfvm *vm)
{
	return ns_test_load_object(vm, objdir, "ns_ring.bpf.o");
}

/* One run of `prog` asking for the record (producer, seq); its r0, or
 * -1000 when the run itself failed. */
static int run_request(struct bpfvm_object *obj, const char *prog, uint32_t producer,
		       uint32_t seq, uint32_t small, uint32_t spin)
{
	struct request req = { .producer = producer, .seq = seq, .small = small, .spin = spin };
	struct bpfvm_test_run_opts opts = {
		.sz = sizeof(opts), .data_in = &req, .data_size_in = sizeof(req),
	};
	int err = bpfvm_prog_test_run(bpfvm_object_find_prog(obj, prog), &opts);

	if (err) {
		fprintf(stderr, "run %s: %d %s\n", prog, err, bpfvm_errmsg());
		return -1000;
	}
	return (int32_t)opts.retval;
}

static void signal_ready(void)
{
	if (write(ready_pipe[1], "r", 1) != 1)
		_exit(90);
}

static bool wait_ready(void)
{
	char c;

	return read(ready_pipe[0], &c, 1) == 1;
}

/* What a reader saw: per producer, the sequence numbers in the order they
 * came (ring) or as a set (perf: each vCPU has its own buffer). */
struct seen {
	uint32_t next[MAX_PRODUCERS]; /* ring: the next seq each producer must have */
	uint8_t *got[MAX_PRODUCERS];  /* perf: seq -> times seen */
	uint64_t of[MAX_PRODUCERS];   /* whole records read of each producer */
	uint64_t records, torn, out_of_order, foreign, lost;
	bool as_set;
};

static void seen_init(struct seen *seen, bool as_set)
{
	memset(seen, 0, sizeof(*seen));
	seen->as_set = as_set;
	for (int i = 0; as_set && i < MAX_PRODUCERS; i++)
		seen->got[i] = calloc(MAX_SEQ, 1);
}

static void seen_free(struct seen *seen)
{
	for (int i = 0; i < MAX_PRODUCERS; i++)
		free(seen->got[i]);
}

static void seen_record(struct seen *seen, const void *data, size_t size)
{
	struct event copy;
	const struct event *ev = &copy;

	seen->records++;
	/* perf pads the raw bytes so that raw_size + 4 is a multiple of 8 */
	if (size < sizeof(copy) || size > sizeof(copy) + 7) {
		seen->foreign++;
		return;
	}
	/* A perf record's raw bytes start 4 bytes into the 8-byte aligned
	 * record: copied, not cast (UBSan: misaligned access). */
	memcpy(&copy, data, sizeof(copy));
	if (ev->producer >= MAX_PRODUCERS || ev->seq >= MAX_SEQ) {
		seen->foreign++;
		return;
	}
	for (int i = 0; i < EVENT_WORDS; i++)
		if (ev->words[i] != event_word(ev->producer, ev->seq, i)) {
			seen->torn++;
			return;
		}
	seen->of[ev->producer]++;
	if (seen->as_set) {
		seen->got[ev->producer][ev->seq]++;
		return;
	}
	if (ev->seq != seen->next[ev->producer])
		seen->out_of_order++;
	seen->next[ev->producer] = ev->seq + 1;
}

/* For perf: whether producer p's records are exactly seq 0 .. n-1, once
 * each; n is returned in *count. */
static bool seen_contiguous(const struct seen *seen, uint32_t p, uint32_t *count)
{
	uint32_t n = 0;

	while (n < MAX_SEQ && seen->got[p][n] == 1)
		n++;
	*count = n;
	for (uint32_t s = n; s < MAX_SEQ; s++)
		if (seen->got[p][s])
			return false;
	return true;
}

static int on_ring_record(void *ctx, void *data, size_t size)
{
	seen_record(ctx, data, size);
	return 0;
}

static void on_perf_record(void *ctx, int cpu, void *data, uint32_t size)
{
	seen_record(ctx, data, size);
}

static void on_perf_lost(void *ctx, int cpu, uint64_t lost)
{
	((struct seen *)ctx)->lost += lost;
}

static struct bpfvm_map *pinned(struct bpfvm *vm, const char *name)
{
	struct bpfvm_map *map = NULL;

	if (bpfvm_map_get_by_pin(vm, name, NULL, &map))
		fprintf(stderr, "get %s: %s\n", name, bpfvm_errmsg());
	return map;
}

/* Each test: a fresh namespace, the object loaded (which pins its maps by
 * name), and a handle of the map under test got by its pin. */
struct fixture {
	char root[PATH_MAX];
	struct bpfvm *vm;
	struct bpfvm_object *obj;
	struct bpfvm_map *map;
	struct seen seen;
};

static void fixture_up(struct fixture *f, const char *test, const char *map_name, bool perf)
{
	ns_test_root_make(f->root, sizeof(f->root));
	f->vm = ns_test_vm(f->root);
	f->obj = load(f->vm);
	f->map = f->obj ? pinned(f->vm, map_name) : NULL;
	testlib_check(test, f->obj && f->map, "the object loads and pins '%s'", map_name);
	if (!f->map)
		exit(testlib_summary());
	seen_init(&f->seen, perf);
}

static void fixture_down(struct fixture *f)
{
	seen_free(&f->seen);
	bpfvm_map_close(f->map);
	bpfvm_object_close(f->obj);
	bpfvm_destroy(f->vm);
	ns_test_root_remove(f->root);
}

/* The fixture's map read once (ring or perf, by the map's type): the
 * records read, or a negative errno. */
static int fixture_read(struct fixture *f)
{
	if (f->seen.as_set)
		return bpfvm_perf_buffer_consume(f->map, on_perf_record, on_perf_lost, &f->seen);
	return bpfvm_ringbuf_consume(f->map, on_ring_record, &f->seen);
}

static void kill_child(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* ---- producers in children ------------------------------------------------ */

struct producer_args {
	const char *prog;
	uint32_t producer, count, small, spin;
};

/* Writes records seq 0 .. count-1 (count 0: for ever), retrying each until
 * the ring or buffer has room. */
static int child_produce(const char *root, void *arg)
{
	const struct producer_args *args = arg;
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj = load(vm);

	if (!obj)
		return 10;
	for (uint32_t seq = 0; !args->count || seq < args->count;) {
		int rc = run_request(obj, args->prog, args->producer, seq, args->small, args->spin);

		if (rc == 0)
			seq++;
		else if (rc == 1 || rc == -ENOSPC)
			usleep(100);
		else
			return 11;
	}
	return 0;
}

static pid_t spawn(int (*fn)(const char *root, void *arg), const char *root, void *arg)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		/* A producer never outlives the test: one that did (its parent
		 * stopped by a sanitizer) kept ctest waiting on its output. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(12);
		_exit(fn(root, arg));
	}
	return pid;
}

static bool reaped_ok(pid_t pid)
{
	int status;

	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* ---- the ring buffer ------------------------------------------------------- */

static void another_process_consumes_a_producers_records_in_order(void)
{
	const char *test = "another_process_consumes_a_producers_records_in_order";
	struct producer_args args = { .prog = "ring_output", .producer = 1, .count = 3000 };
	struct fixture f;
	int n;

	fixture_up(&f, test, "events", false);
	testlib_check(test, ns_test_in_child(child_produce, f.root, &args) == 0,
		      "another process writes 3000 records");
	n = fixture_read(&f);
	testlib_check(test, n == 3000 && f.seen.records == 3000,
		      "all 3000 are read: consume returned %d", n);
	testlib_check(test, !f.seen.torn && !f.seen.foreign && !f.seen.out_of_order &&
			    f.seen.next[1] == 3000,
		      "whole and in order: %llu torn, %llu foreign, %llu out of order, next %u",
		      (unsigned long long)f.seen.torn, (unsigned long long)f.seen.foreign,
		      (unsigned long long)f.seen.out_of_order, f.seen.next[1]);
	testlib_check(test, fixture_read(&f) == 0, "nothing is left");
	fixture_down(&f);
}

/* The kernel's rule: a record fits while producer_pos + len - consumer_pos
 * <= mask; 56-byte records, 64 with their header, in 4096 bytes: 63
 * (4032 bytes), then NULL. */
static int child_fill_small_ring(const char *root, void *arg)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj = load(vm);
	int written = 0;

	if (!obj)
		return 200;
	while (written < 100 && run_request(obj, "ring_output", 2, (uint32_t)written, 1, 0) == 0)
		written++;
	return written;
}

static void a_full_ring_refuses_reservations_until_another_process_reads(void)
{
	const char *test = "a_full_ring_refuses_reservations_until_another_process_reads";
	struct fixture f;
	int written, n;

	fixture_up(&f, test, "small_events", false);
	written = ns_test_in_child(child_fill_small_ring, f.root, NULL);
	testlib_check(test, written == 63, "63 records of 64 bytes fill 4096: %d", written);
	testlib_check(test, run_request(f.obj, "ring_output", 3, 0, 1, 0) == 1,
		      "bpf_ringbuf_reserve is NULL in this process too");
	n = fixture_read(&f);
	testlib_check(test, n == 63 && !f.seen.torn && !f.seen.out_of_order, "63 read, whole: %d",
		      n);
	testlib_check(test, run_request(f.obj, "ring_output", 3, 0, 1, 0) == 0,
		      "reading made room");
	fixture_down(&f);
}

static void several_producer_processes_and_a_consumer_at_once(void)
{
	const char *test = "several_producer_processes_and_a_consumer_at_once";
	struct producer_args args[3];
	struct fixture f;
	pid_t pids[3];
	bool ok = true;

	fixture_up(&f, test, "small_events", false); /* small: producers meet a full ring */
	for (int i = 0; i < 3; i++) {
		args[i] = (struct producer_args){ .prog = "ring_output", .producer = 10 + i,
						  .count = 2000, .small = 1 };
		pids[i] = spawn(child_produce, f.root, &args[i]);
	}
	while (ok && f.seen.records < 6000) {
		int n = fixture_read(&f);

		ok = n >= 0;
		if (!n)
			usleep(50);
	}
	for (int i = 0; i < 3; i++)
		ok &= reaped_ok(pids[i]);
	testlib_check(test, ok, "the producers finished, every read succeeded");
	testlib_check(test, f.seen.records == 6000 && !f.seen.torn && !f.seen.foreign &&
			    !f.seen.out_of_order,
		      "6000 records, each producer's in order, whole: %llu records, %llu torn, "
		      "%llu foreign, %llu out of order", (unsigned long long)f.seen.records,
		      (unsigned long long)f.seen.torn, (unsigned long long)f.seen.foreign,
		      (unsigned long long)f.seen.out_of_order);
	for (int i = 0; i < 3; i++)
		testlib_check(test, f.seen.next[10 + i] == 2000, "producer %d: last seq %u", i,
			      f.seen.next[10 + i]);
	fixture_down(&f);
}

/* Reserves `count` records with the ring's own function, as a program's
 * bpf_ringbuf_reserve does, writes their first words, and waits to be
 * killed. */
static int child_reserves_and_waits(const char *root, void *arg)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_map *ring = pinned(vm, "events");
	uintptr_t count = (uintptr_t)arg;

	if (!ring)
		return 20;
	for (uintptr_t i = 0; i < count; i++) {
		struct event *ev = ringbuf_reserve(ring, sizeof(*ev));

		if (!ev)
			return 21;
		ev->producer = 40;
		ev->seq = (uint32_t)i;
	}
	signal_ready();
	for (;;)
		pause();
}

static void a_producer_killed_between_reserve_and_submit_does_not_stall_the_ring(void)
{
	const char *test = "a_producer_killed_between_reserve_and_submit_does_not_stall_the_ring";
	struct fixture f;
	pid_t pid;
	int n;

	fixture_up(&f, test, "events", false);
	pid = spawn(child_reserves_and_waits, f.root, (void *)(uintptr_t)1);
	testlib_check(test, wait_ready(), "the child holds a reserved record");
	for (uint32_t seq = 0; seq < 3; seq++)
		run_request(f.obj, "ring_output", 5, seq, 0, 0);
	n = fixture_read(&f);
	testlib_check(test, n == 0, "a live producer's busy record stops the consumer, as the "
		      "kernel's: %d", n);
	kill_child(pid);
	n = fixture_read(&f);
	testlib_check(test, n == 3 && f.seen.next[5] == 3 && !f.seen.torn && !f.seen.foreign,
		      "the dead producer's record is discarded and the 3 after it read: %d", n);
	testlib_check(test, fixture_read(&f) == 0, "nothing is left");
	testlib_check(test, run_request(f.obj, "ring_output", 5, 3, 0, 0) == 0 &&
			    fixture_read(&f) == 1 && f.seen.next[5] == 4,
		      "the ring goes on");
	fixture_down(&f);
}

/* 128 reservations (every slot) held by a killed process: a producer that
 * finds no free slot frees the dead ones, discarding their records. */
static void every_slot_held_by_a_dead_producer_is_taken_back(void)
{
	const char *test = "every_slot_held_by_a_dead_producer_is_taken_back";
	struct fixture f;
	pid_t pid;
	int n;

	fixture_up(&f, test, "events", false);
	pid = spawn(child_reserves_and_waits, f.root, (void *)(uintptr_t)128);
	testlib_check(test, wait_ready(), "the child holds 128 reserved records");
	testlib_check(test, run_request(f.obj, "ring_output", 6, 0, 0, 0) == 1,
		      "a 129th reservation at once: NULL (every slot is held by a live thread)");
	kill_child(pid);
	testlib_check(test, run_request(f.obj, "ring_output", 6, 0, 0, 0) == 0,
		      "once its holder is dead, a reservation takes a slot");
	n = fixture_read(&f);
	testlib_check(test, n == 1 && f.seen.next[6] == 1 && f.seen.records == 1,
		      "the dead records are discarded, the new one read: %d", n);
	fixture_down(&f);
}

static int block_in_callback(void *ctx, void *data, size_t size)
{
	signal_ready();
	for (;;)
		pause();
	return 0;
}

static void perf_block_in_callback(void *ctx, int cpu, void *data, uint32_t size)
{
	block_in_callback(ctx, data, size);
}

/* Reads the pinned ring (arg "events") or perf buffers and is killed
 * inside the callback of the first record. */
static int child_consumes_and_waits(const char *root, void *arg)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_map *map = pinned(vm, arg);

	if (!map)
		return 30;
	if (strcmp(arg, "events") == 0)
		bpfvm_ringbuf_consume(map, block_in_callback, NULL);
	else
		bpfvm_perf_buffer_consume(map, perf_block_in_callback, NULL, NULL);
	return 31;
}

/* A consumer killed inside its callback: -EBUSY for others while it lives,
 * then the next one reads both records, the one handed out again (libbpf
 * moves the consumer position after the callback, so does bpfvm). */
static void a_killed_consumer_leaves_its_reads_to_the_next(const char *test, struct fixture *f)
{
	pid_t pid = spawn(child_consumes_and_waits, f->root,
			  (void *)(f->seen.as_set ? "perf_events" : "events"));
	int n;

	testlib_check(test, wait_ready(), "a child is inside its callback");
	n = fixture_read(f);
	testlib_check(test, n == -EBUSY, "one consumer at a time, across processes: %d", n);
	kill_child(pid);
	n = fixture_read(f);
	testlib_check(test, n == 2 && f->seen.records == 2, "the next consumer reads both: %d (%s)",
		      n, n < 0 ? bpfvm_errmsg() : "");
}

static void a_consumer_killed_while_reading_leaves_the_ring_to_the_next(void)
{
	const char *test = "a_consumer_killed_while_reading_leaves_the_ring_to_the_next";
	struct fixture f;

	fixture_up(&f, test, "events", false);
	for (uint32_t seq = 0; seq < 2; seq++)
		run_request(f.obj, "ring_output", 7, seq, 0, 0);
	a_killed_consumer_leaves_its_reads_to_the_next(test, &f);
	testlib_check(test, f.seen.next[7] == 2, "in order");
	fixture_down(&f);
}

/* Reads for `usec` microseconds (0: once). */
static void consume_for(struct fixture *f, long usec, bool *ok)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		int n = fixture_read(f);

		if (n < 0) {
			fprintf(stderr, "consume: %d %s\n", n, bpfvm_errmsg());
			*ok = false;
		}
		if (usec)
			usleep(200);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start.tv_sec) * 1000000L + (now.tv_nsec - start.tv_nsec) / 1000 <
		 usec);
}

/* After a storm this process writes and reads 100 records, one by one. */
static void the_ring_goes_on(const char *test, struct fixture *f, const char *prog)
{
	uint64_t before = f->seen.records;
	int written = 0, read = 0;

	for (uint32_t seq = 0; seq < 100; seq++) {
		int n;

		written += run_request(f->obj, prog, MAX_PRODUCERS - 1, seq, 1, 0) == 0;
		n = fixture_read(f);
		read += n > 0 ? n : 0;
	}
	testlib_check(test, written == 100 && read == 100 && f->seen.records == before + 100 &&
			    !f->seen.torn && !f->seen.out_of_order,
		      "after the storm: %d written, %d read", written, read);
}

/* Reads until producer p's first record is in, at most 10 s: most kills
 * must land inside a run, and a sanitizer build on a busy machine takes
 * long to start a producer (one that waits for a vCPU a killed producer
 * held may take longer: a kill before the first record is a moment too). */
static void consume_until_started(struct fixture *f, uint32_t p, bool *ok)
{
	for (int waited = 0; !f->seen.of[p] && waited < 10000; waited++)
		consume_for(f, 1000, ok);
}

/* Producers killed at random moments of their runs while this process
 * reads: every record read is whole and in its producer's order, each
 * producer's records are 0 .. n-1 without a gap, and afterwards the ring
 * neither stalls nor refuses. `prog` and the map name choose ring or
 * perf. */
static void kill_storm(const char *test, const char *prog, const char *map_name, bool perf)
{
	struct producer_args args[MAX_PRODUCERS];
	uint32_t next_producer = 0, kills = 0, producer_of[3] = { 0 }, started = 0;
	pid_t pids[3] = { 0 };
	struct fixture f;
	bool ok = true;

	fixture_up(&f, test, map_name, perf);
	if (perf)
		testlib_check(test, bpfvm_perf_buffer_open(f.map) == 0, "the reader opens");
	while (kills < 24 && next_producer < MAX_PRODUCERS - 1) {
		int victim = rand() % 3;

		for (int i = 0; i < 3; i++) {
			if (pids[i])
				continue;
			args[next_producer] = (struct producer_args){
				.prog = prog, .producer = next_producer, .count = MAX_SEQ - 1,
				.small = 1, .spin = 100,
			};
			producer_of[i] = next_producer;
			pids[i] = spawn(child_produce, f.root, &args[next_producer++]);
		}
		consume_until_started(&f, producer_of[victim], &ok);
		started += f.seen.of[producer_of[victim]] > 0;
		consume_for(&f, 20000 + rand() % 60000, &ok);
		kill_child(pids[victim]);
		pids[victim] = 0;
		kills++;
	}
	for (int i = 0; i < 3; i++)
		if (pids[i])
			kill_child(pids[i]);
	consume_for(&f, 0, &ok);
	testlib_check(test, ok, "every read succeeded");
	testlib_check(test, started * 2 >= kills, "%u of %u producers wrote before their kill",
		      started, kills);
	testlib_check(test, f.seen.records >= started && !f.seen.torn && !f.seen.foreign &&
			    !f.seen.out_of_order,
		      "after %u kills: %llu records, %llu torn, %llu foreign, %llu out of order",
		      kills, (unsigned long long)f.seen.records, (unsigned long long)f.seen.torn,
		      (unsigned long long)f.seen.foreign, (unsigned long long)f.seen.out_of_order);
	for (uint32_t p = 0; perf && p < next_producer; p++) {
		uint32_t count = 0;

		testlib_check(test, seen_contiguous(&f.seen, p, &count),
			      "producer %u's records are 0..%u, once each", p, count);
	}
	the_ring_goes_on(test, &f, prog);
	fixture_down(&f);
}

/* ---- the perf event array -------------------------------------------------- */

static void another_process_reads_a_writers_perf_records(void)
{
	const char *test = "another_process_reads_a_writers_perf_records";
	struct producer_args args = { .prog = "perf_output", .producer = 1, .count = 2000 };
	struct fixture f;
	uint32_t count;
	bool ok = true;
	pid_t pid;

	fixture_up(&f, test, "perf_events", true);
	testlib_check(test, bpfvm_perf_buffer_open(f.map) == 0, "the reader opens");
	pid = spawn(child_produce, f.root, &args);
	while (ok && f.seen.records < 2000)
		consume_for(&f, 0, &ok);
	testlib_check(test, reaped_ok(pid), "the writer finished");
	/* A full buffer's -ENOSPC counts a lost record; the writer retries. */
	testlib_check(test, f.seen.records == 2000 && !f.seen.torn && !f.seen.foreign &&
			    seen_contiguous(&f.seen, 1, &count) && count == 2000,
		      "2000 records, whole, each once: %llu records, %llu torn, %llu lost",
		      (unsigned long long)f.seen.records, (unsigned long long)f.seen.torn,
		      (unsigned long long)f.seen.lost);
	fixture_down(&f);
}

/* 64 KiB per vCPU, 72-byte records (8 + 4 + 56, padded to 8): 910 fit;
 * the child writes on its vCPU until -ENOSPC and 5 more. */
static int child_fill_perf(const char *root, void *arg)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj = load(vm);
	int written = 0, refused = 0;

	if (!obj || bpfvm_cpu_bind(vm, 0))
		return 200;
	while (refused < 5 && written < 2000) {
		int rc = run_request(obj, "perf_output", 2, (uint32_t)written, 0, 0);

		if (rc == 0)
			written++;
		else if (rc == -ENOSPC)
			refused++;
		else
			return 201;
	}
	return written / 10;
}

static void a_full_perf_buffer_counts_the_lost_records_for_the_reader(void)
{
	const char *test = "a_full_perf_buffer_counts_the_lost_records_for_the_reader";
	struct fixture f;
	int tenths, n;

	fixture_up(&f, test, "perf_events", true);
	testlib_check(test, bpfvm_perf_buffer_open(f.map) == 0, "the reader opens");
	tenths = ns_test_in_child(child_fill_perf, f.root, NULL);
	testlib_check(test, tenths == 91, "about 910 records fill a vCPU's 64 KiB: %d0", tenths);
	n = fixture_read(&f);
	testlib_check(test, n == 910 && f.seen.lost == 5 && !f.seen.torn,
		      "910 read and 5 reported lost: %d read, %llu lost", n,
		      (unsigned long long)f.seen.lost);
	fixture_down(&f);
}

static int child_opens_reader_and_waits(const char *root, void *arg)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_map *perf = pinned(vm, "perf_events");

	if (!perf || bpfvm_perf_buffer_open(perf))
		return 40;
	signal_ready();
	for (;;)
		pause();
}

static void a_reader_killed_leaves_its_buffers_to_the_next(void)
{
	const char *test = "a_reader_killed_leaves_its_buffers_to_the_next";
	struct fixture f;
	pid_t pid;
	int n;

	fixture_up(&f, test, "perf_events", true);
	pid = spawn(child_opens_reader_and_waits, f.root, NULL);
	testlib_check(test, wait_ready(), "a child opened the reader");
	testlib_check(test, bpfvm_perf_buffer_open(f.map) == -EEXIST,
		      "a live reader keeps its buffers");
	kill_child(pid);
	n = bpfvm_perf_buffer_open(f.map);
	testlib_check(test, n == 0, "a dead reader's buffers are taken over: %d (%s)", n,
		      n ? bpfvm_errmsg() : "");
	testlib_check(test, bpfvm_perf_buffer_close(f.map) == 0, "and closed");
	testlib_check(test, bpfvm_perf_buffer_open(f.map) == 0, "reopened");
	testlib_check(test, bpfvm_cpu_bind(f.vm, 0) == 0, "bound to vCPU 0");
	run_request(f.obj, "perf_output", 8, 0, 0, 0);
	run_request(f.obj, "perf_output", 8, 1, 0, 0);
	bpfvm_cpu_unbind(f.vm);
	a_killed_consumer_leaves_its_reads_to_the_next(test, &f);
	testlib_check(test, f.seen.got[8][0] == 1 && f.seen.got[8][1] == 1, "each once");
	fixture_down(&f);
}

/* Takes vCPU 0's buffer lock, as a writer in the middle of a record, and
 * waits to be killed. */
static int child_holds_the_buffer_lock(const char *root, void *arg)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_map *perf = pinned(vm, "perf_events");

	if (!perf)
		return 50;
	map_spin_lock(perf_event_array_buffer_lock(perf, 0));
	signal_ready();
	for (;;)
		pause();
}

static void a_writer_killed_holding_a_buffer_lock_leaves_the_buffer_usable(void)
{
	const char *test = "a_writer_killed_holding_a_buffer_lock_leaves_the_buffer_usable";
	struct fixture f;
	pid_t pid;
	int n;

	fixture_up(&f, test, "perf_events", true);
	testlib_check(test, bpfvm_perf_buffer_open(f.map) == 0, "the reader opens");
	pid = spawn(child_holds_the_buffer_lock, f.root, NULL);
	testlib_check(test, wait_ready(), "the child holds vCPU 0's buffer lock");
	kill_child(pid);
	testlib_check(test, bpfvm_cpu_bind(f.vm, 0) == 0, "bound to vCPU 0");
	n = run_request(f.obj, "perf_output", 9, 0, 0, 0);
	testlib_check(test, n == 0, "a record is written on vCPU 0: %d", n);
	bpfvm_cpu_unbind(f.vm);
	n = fixture_read(&f);
	testlib_check(test, n == 1 && f.seen.got[9][0] == 1 && !f.seen.torn, "and read: %d", n);
	fixture_down(&f);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s OBJDIR ring|perf\n", argv[0]);
		return 2;
	}
	objdir = argv[1];
	alarm(240); /* anything that waits for ever fails the test */
	srand((unsigned)time(NULL));
	if (pipe(ready_pipe)) {
		perror("pipe");
		return 1;
	}
	if (strcmp(argv[2], "ring") == 0) {
		another_process_consumes_a_producers_records_in_order();
		a_full_ring_refuses_reservations_until_another_process_reads();
		several_producer_processes_and_a_consumer_at_once();
		a_producer_killed_between_reserve_and_submit_does_not_stall_the_ring();
		every_slot_held_by_a_dead_producer_is_taken_back();
		a_consumer_killed_while_reading_leaves_the_ring_to_the_next();
		kill_storm("ring_producers_killed_at_random_moments_leave_a_working_ring",
			   "ring_output", "small_events", false);
	} else {
		another_process_reads_a_writers_perf_records();
		a_full_perf_buffer_counts_the_lost_records_for_the_reader();
		a_reader_killed_leaves_its_buffers_to_the_next();
		a_writer_killed_holding_a_buffer_lock_leaves_the_buffer_usable();
		kill_storm("perf_writers_killed_at_random_moments_leave_working_buffers",
			   "perf_output", "perf_events", true);
	}
	return testlib_summary();
}
