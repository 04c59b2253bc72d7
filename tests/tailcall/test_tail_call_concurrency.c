/* Two threads run chains through a prog array, each bound to its own vCPU,
 * while a third replaces and deletes the program at the chains' end thousands
 * of times (SEMANTICS.md: PROG_ARRAY maps, slots replaced atomically, an old
 * program freed only when no run can be inside it). Every run must end in a
 * program that was in the slot at some moment during the run; nothing may
 * crash (and, under `make test-tsan`, nothing may race).
 *
 * swap.bpf.c: relay hops through slots 1..8 and tail-calls slot 0, which
 * holds swap_a, swap_b or swap_c (marks 11, 22, 33) or nothing (99); a run
 * on vCPU c returns 100000 * c + 1000 * 9 + that mark (SEMANTICS.md: per-CPU
 * execution, a run sees the vCPU its thread is bound to). Some of the swap_c programs put in the slot
 * come from a copy of the object that the swapper closes at once, so that the
 * slot holds the only reference and the next swap frees the program.
 *
 * Which marks a run may end in: the swapper records the mark of update n in
 * history[n], announces n before the update and publishes it as done after.
 * A run that starts after update `done` finished and ends before update
 * `announced` + 1 began can only have seen history[done..announced].
 *
 * swap_const.bpf.c has the same chains with constant keys (the JIT's direct
 * jumps, re-pointed at each update: engine/jit_poke.c).
 *
 *   usage: test_tail_call_concurrency OBJDIR [SWAPS [OBJECT]] */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfvm/bpfvm.h"
#include "testlib.h"
#include "twin.h"

#define RUNNERS 2
#define CHAIN_HOPS 9
#define MARK_A 11
#define MARK_B 22
#define MARK_C 33
#define FELL_THROUGH 99
#define DEFAULT_SWAPS 5000
#define FRESH_COPY_EVERY 512 /* a multiple of 8: the copy replaces step 7 */

struct swap_test {
	struct bpfvm *vm;
	const char *objpath;
	struct bpfvm_object *obj;
	struct bpfvm_map *slots;
	uint32_t swaps;
	uint32_t *history;	 /* [0..swaps]: the mark slot 0 gives after update n */
	_Atomic uint32_t announced; /* updates begun */
	_Atomic uint32_t done;	    /* updates finished */
	_Atomic bool stop;
	_Atomic uint32_t bound;	    /* runners bound to their vCPU */
	_Atomic uint64_t runs;	    /* runs finished, by all runners */
	_Atomic uint32_t failures;
};

struct runner {
	struct swap_test *test;
	int cpu;
	uint64_t runs;
	uint64_t by_mark[4]; /* A, B, C, fell through */
};

static void report(struct swap_test *test, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prints the first few failures from any thread; the count decides. */
static void report(struct swap_test *test, const char *fmt, ...)
{
	va_list args;

	if (atomic_fetch_add(&test->failures, 1) >= 10)
		return;
	va_start(args, fmt);
	printf("FAIL tail_calls_survive_slots_swapped_under_running_chains: ");
	vprintf(fmt, args);
	printf("\n");
	va_end(args);
}

/* ---- the swapper ---------------------------------------------------------- */

static int slot_set(struct swap_test *test, struct bpfvm_prog *prog)
{
	uint32_t key = 0, id = bpfvm_prog_id(prog);

	return bpfvm_map_update(test->slots, &key, &id, BPF_ANY);
}

/* swap_c from a copy of the object, closed at once: the slot keeps it. */
static int slot_set_fresh_copy(struct swap_test *test)
{
	struct bpfvm_object *copy;
	int err = bpfvm_object_open(test->vm, test->objpath, NULL, &copy);

	if (err)
		return err;
	err = bpfvm_object_load(copy);
	if (!err)
		err = slot_set(test, bpfvm_object_find_prog(copy, "swap_c"));
	bpfvm_object_close(copy);
	return err;
}

static int slot_delete(struct swap_test *test)
{
	uint32_t key = 0;
	int err = bpfvm_map_delete(test->slots, &key);

	return err == -ENOENT ? 0 : err;
}

/* Update n: A, B, C, delete, C, A, B, then A or a fresh copy of C. */
static uint32_t swap_one(struct swap_test *test, uint32_t n, int *err)
{
	static const char *const names[] = { "swap_a", "swap_b", "swap_c", NULL,
					     "swap_c", "swap_a", "swap_b", "swap_a" };
	static const uint32_t marks[] = { MARK_A, MARK_B, MARK_C, FELL_THROUGH,
					  MARK_C, MARK_A, MARK_B, MARK_A };
	uint32_t step = n % 8;

	if (n % FRESH_COPY_EVERY == FRESH_COPY_EVERY - 1) {
		test->history[n] = MARK_C;
		atomic_store_explicit(&test->announced, n, memory_order_release);
		*err = slot_set_fresh_copy(test);
		return MARK_C;
	}
	test->history[n] = marks[step];
	atomic_store_explicit(&test->announced, n, memory_order_release);
	*err = names[step] ? slot_set(test, bpfvm_object_find_prog(test->obj, names[step])) :
			     slot_delete(test);
	return marks[step];
}

static uint64_t monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Lets a runner finish a run before the next update, so that runs and
 * updates interleave however the threads are scheduled; gives up after
 * 50 us (a run takes about one, many more under a sanitizer or when the
 * runners lost their cores), so that the test's length stays bounded. */
static void swapper_wait_for_a_run(struct swap_test *test, uint64_t runs_before)
{
	uint64_t deadline = monotonic_us() + 50;

	while (atomic_load(&test->runs) <= runs_before && monotonic_us() < deadline)
		;
}

static void *swapper(void *arg)
{
	struct swap_test *test = arg;

	while (atomic_load(&test->bound) < RUNNERS)
		;
	for (uint32_t n = 1; n <= test->swaps; n++) {
		uint64_t runs = atomic_load(&test->runs);
		int err = 0;
		uint32_t mark = swap_one(test, n, &err);

		if (err)
			report(test, "update %u (mark %u): %d %s", n, mark, err, bpfvm_errmsg());
		atomic_store_explicit(&test->done, n, memory_order_release);
		swapper_wait_for_a_run(test, runs);
	}
	atomic_store(&test->stop, true);
	return NULL;
}

/* ---- the runners ----------------------------------------------------------- */

static bool mark_possible(const struct swap_test *test, uint32_t mark, uint32_t from,
			  uint32_t to)
{
	for (uint32_t n = from; n <= to; n++) {
		if (test->history[n] == mark)
			return true;
	}
	return false;
}

static int mark_index(uint32_t mark)
{
	switch (mark) {
	case MARK_A: return 0;
	case MARK_B: return 1;
	case MARK_C: return 2;
	default: return 3;
	}
}

static void run_once(struct runner *runner, struct bpfvm_prog *entry, uint8_t *packet)
{
	struct swap_test *test = runner->test;
	struct bpfvm_test_run_opts opts = {
		.sz = sizeof(opts), .data_in = packet, .data_size_in = TWIN_PACKET_LEN,
	};
	uint32_t from = atomic_load_explicit(&test->done, memory_order_acquire), to, mark;
	int err = bpfvm_prog_test_run(entry, &opts);

	to = atomic_load_explicit(&test->announced, memory_order_acquire);
	runner->runs++;
	atomic_fetch_add(&test->runs, 1);
	mark = opts.retval % 1000;
	if (err || opts.retval / 1000 != 100 * (uint32_t)runner->cpu + CHAIN_HOPS) {
		report(test, "vCPU %d: run %d (%s), returned %u: expected %u hops on vCPU %d",
		       runner->cpu, err, err ? bpfvm_errmsg() : "", opts.retval, CHAIN_HOPS,
		       runner->cpu);
		return;
	}
	if (!mark_possible(test, mark, from, to))
		report(test, "vCPU %d: the chain ended in mark %u, which slot 0 never held "
		       "between updates %u and %u", runner->cpu, mark, from, to);
	runner->by_mark[mark_index(mark)]++;
}

static void *run_chains(void *arg)
{
	struct runner *runner = arg;
	struct swap_test *test = runner->test;
	struct bpfvm_prog *entry = bpfvm_object_find_prog(test->obj, "relay");
	uint8_t packet[TWIN_PACKET_LEN];
	int cpu = bpfvm_cpu_bind(test->vm, runner->cpu);

	twin_packet(packet);
	if (cpu != runner->cpu)
		report(test, "bpfvm_cpu_bind(%d) gave %d %s", runner->cpu, cpu, bpfvm_errmsg());
	atomic_fetch_add(&test->bound, 1);
	while (!atomic_load(&test->stop))
		run_once(runner, entry, packet);
	/* One more run after the last update: the slot is settled. */
	run_once(runner, entry, packet);
	if (cpu == runner->cpu)
		bpfvm_cpu_unbind(test->vm);
	return NULL;
}

/* ---- the test --------------------------------------------------------------- */

static bool swap_test_setup(struct swap_test *test, const char *objdir, uint32_t swaps,
			    const char *object)
{
	static char path[4096];
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = RUNNERS + 2 };
	int err;

	memset(test, 0, sizeof(*test));
	snprintf(path, sizeof(path), "%s/%s", objdir, object);
	test->objpath = path;
	test->swaps = swaps;
	test->history = calloc(swaps + 1, sizeof(*test->history));
	err = bpfvm_create(&opts, &test->vm);
	if (!err)
		err = bpfvm_object_open(test->vm, path, NULL, &test->obj);
	if (!err)
		err = bpfvm_object_load(test->obj);
	testlib_check("swap_object_loads", err == 0, "%d %s", err, bpfvm_errmsg());
	if (err)
		return false;
	test->slots = bpfvm_object_find_map(test->obj, "swap_jmp");
	test->history[0] = FELL_THROUGH; /* slot 0 starts empty */
	return true;
}

static void swap_test_teardown(struct swap_test *test)
{
	bpfvm_object_close(test->obj);
	bpfvm_destroy(test->vm);
	free(test->history);
}

int main(int argc, char **argv)
{
	struct runner runners[RUNNERS];
	pthread_t threads[RUNNERS + 1];
	struct swap_test test;
	uint64_t total = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJDIR [SWAPS [OBJECT]]\n", argv[0]);
		return 2;
	}
	if (!swap_test_setup(&test, argv[1], argc > 2 ? (uint32_t)atoi(argv[2]) : DEFAULT_SWAPS,
			     argc > 3 ? argv[3] : "swap.bpf.o"))
		return testlib_summary();
	for (int i = 0; i < RUNNERS; i++) {
		runners[i] = (struct runner){ .test = &test, .cpu = i };
		pthread_create(&threads[i], NULL, run_chains, &runners[i]);
	}
	pthread_create(&threads[RUNNERS], NULL, swapper, &test);
	for (int i = 0; i <= RUNNERS; i++)
		pthread_join(threads[i], NULL);

	for (int i = 0; i < RUNNERS; i++) {
		printf("vCPU %d: %llu runs (A %llu, B %llu, C %llu, fell through %llu)\n", i,
		       (unsigned long long)runners[i].runs,
		       (unsigned long long)runners[i].by_mark[0],
		       (unsigned long long)runners[i].by_mark[1],
		       (unsigned long long)runners[i].by_mark[2],
		       (unsigned long long)runners[i].by_mark[3]);
		total += runners[i].runs;
	}
	testlib_check("tail_calls_survive_slots_swapped_under_running_chains",
		      atomic_load(&test.failures) == 0, "%u failures (the first ones above)",
		      atomic_load(&test.failures));
	testlib_check("chains_ran_while_the_slot_was_swapped", total > 2 * RUNNERS,
		      "only %llu runs", (unsigned long long)total);
	swap_test_teardown(&test);
	return testlib_summary();
}
