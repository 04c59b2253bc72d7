/* A prog array swapped under load by processes (issue 8): runner processes
 * (several threads each) run tail-call chains through a pinned prog array
 * of one namespace while swapper processes replace and delete its slot 0
 * (stress_chain.bpf.c: entry -> slot 1, the relay -> slot 0, an end or a
 * fall-through). Checked:
 *
 *   - every run ends in a program that was in slot 0 at some moment of the
 *     run (or falls through, if the slot was empty at such a moment): the
 *     swappers record the mark of update n in a shared history, announced
 *     before the update and published as done after, so a run that began
 *     after update `done` and ended before update `announced` + 1 can only
 *     have seen history[done..announced] (as tests/tailcall's threads);
 *   - counts add up: the ends' and the fall-throughs' counters in the shared
 *     ARRAY equal what the runners saw, mark by mark, and every run is one
 *     of them;
 *   - nothing crashes: every process exits 0.
 *
 * The swappers put their own copies' programs in the slot (their ids), so
 * runners run programs loaded by another process, resolved by id. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpfvm/bpfvm.h"
#include "ns/ns_testlib.h"
#include "testlib.h"

#define RUNNER_PROCS 3
#ifndef RUNNER_THREADS
#define RUNNER_THREADS 2
#endif
#define RUNNERS (RUNNER_PROCS * RUNNER_THREADS)
#define SWAPPER_PROCS 2
#define SWAPS_EACH 1500
#define HISTORY_MAX (SWAPPER_PROCS * SWAPS_EACH + 1)
#define MARKS 4 /* ends a, b, c; fell through (stress_chain.bpf.c) */
#define FELL 3

static const int mark_values[MARKS] = { 11, 22, 33, 99 };
static const char *const end_names[3] = { "chain_end_a", "chain_end_b", "chain_end_c" };

/* Shared by every process (an anonymous shared mapping made before fork). */
struct shared {
	pthread_mutex_t swap_lock; /* process-shared: one swap recorded at a time */
	_Atomic uint32_t announced, done;
	_Atomic uint32_t ready, swappers_left;
	uint8_t history[HISTORY_MAX]; /* the mark slot 0 gives after update n */
	_Atomic uint64_t seen[RUNNERS][MARKS];
	_Atomic uint64_t bad;
	char why[256];
};

static const char *objects_dir;
static char root[64];
static struct shared *sh;
static enum bpfvm_engine engine;

/* A runtime of the namespace, every process's on the same engine (a prog
 * array's programs are all the interpreter's or all the JIT's). */
static struct bpfvm *chain_vm(void)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = 2, .ns_root = root,
				   .engine = engine };
	struct bpfvm *vm;

	if (bpfvm_create(&opts, &vm)) {
		fprintf(stderr, "bpfvm_create in '%s': %s\n", root, bpfvm_errmsg());
		exit(1);
	}
	return vm;
}

static struct bpfvm_object *chain_object(struct bpfvm *vm)
{
	return ns_test_load_object(vm, objects_dir, "stress_chain.bpf.o");
}

/* ---- runners ---------------------------------------------------------- */

struct runner {
	struct bpfvm_prog *entry;
	int index;
	int errors;
};

static int mark_index(uint32_t retval)
{
	for (int m = 0; m < MARKS; m++)
		if (retval == (uint32_t)mark_values[m])
			return m;
	return -1;
}

static bool seen_in_history(int mark, uint32_t from, uint32_t to)
{
	for (uint32_t k = from; k <= to && k < HISTORY_MAX; k++)
		if (sh->history[k] == mark)
			return true;
	return false;
}

static void record_bad(const char *fmt, uint32_t a, uint32_t b, uint32_t c)
{
	if (atomic_fetch_add(&sh->bad, 1) == 0)
		snprintf(sh->why, sizeof(sh->why), fmt, a, b, c);
}

static void *runner_thread(void *arg)
{
	struct runner *r = arg;
	uint8_t packet[64] = { 0 };

	atomic_fetch_add(&sh->ready, 1);
	while (atomic_load(&sh->swappers_left) > 0) {
		struct bpfvm_test_run_opts run = { .sz = sizeof(run), .data_in = packet,
						   .data_size_in = sizeof(packet) };
		uint32_t done = atomic_load_explicit(&sh->done, memory_order_acquire), announced;
		int mark;

		if (bpfvm_prog_test_run(r->entry, &run)) {
			r->errors++;
			continue;
		}
		announced = atomic_load_explicit(&sh->announced, memory_order_acquire);
		mark = mark_index(run.retval);
		if (mark < 0) {
			record_bad("a run returned %u (updates %u..%u)", run.retval, done, announced);
			continue;
		}
		atomic_fetch_add_explicit(&sh->seen[r->index][mark], 1, memory_order_relaxed);
		if (!seen_in_history(mark, done, announced))
			record_bad("a run ended in mark %u, not in slot 0 during updates %u..%u",
				   (uint32_t)mark_values[mark], done, announced);
	}
	return NULL;
}

static int runner_process(int p)
{
	struct bpfvm *vm = chain_vm();
	struct bpfvm_object *obj = chain_object(vm);
	struct runner runners[RUNNER_THREADS];
	pthread_t threads[RUNNER_THREADS];
	int errors = 0;

	if (!obj) {
		atomic_fetch_add(&sh->ready, RUNNER_THREADS); /* the swappers wait for none */
		return 1;
	}
	for (int i = 0; i < RUNNER_THREADS; i++) {
		runners[i] = (struct runner){ bpfvm_object_find_prog(obj, "chain_entry"),
					      p * RUNNER_THREADS + i, 0 };
		pthread_create(&threads[i], NULL, runner_thread, &runners[i]);
	}
	for (int i = 0; i < RUNNER_THREADS; i++) {
		pthread_join(threads[i], NULL);
		errors += runners[i].errors;
	}
	if (errors)
		fprintf(stderr, "runner %d: %d runs failed: %s\n", p, errors, bpfvm_errmsg());
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
	return errors ? 2 : 0;
}

/* ---- swappers --------------------------------------------------------- */

/* One update or delete of slot 0, announced and recorded (under the shared
 * lock, so that update n is the n-th the slot saw). */
static int swap_once(struct bpfvm_map *table, const uint32_t ids[3], uint32_t *rng)
{
	uint32_t slot = 0, n;
	int mark, err;

	*rng = *rng * 1103515245u + 12345u;
	mark = (int)((*rng >> 16) % 5);
	mark = mark == 4 ? FELL : mark % 3; /* a delete one time in five */
	pthread_mutex_lock(&sh->swap_lock);
	n = atomic_load(&sh->announced) + 1;
	sh->history[n] = (uint8_t)mark;
	atomic_store_explicit(&sh->announced, n, memory_order_release);
	if (mark == FELL) {
		err = bpfvm_map_delete(table, &slot);
		err = err == -2 ? 0 : err; /* already empty: -ENOENT */
	} else {
		err = bpfvm_map_update(table, &slot, &ids[mark], BPF_ANY);
	}
	atomic_store_explicit(&sh->done, n, memory_order_release);
	pthread_mutex_unlock(&sh->swap_lock);
	if (err)
		fprintf(stderr, "swap %u (mark %d): %d %s\n", n, mark, err, bpfvm_errmsg());
	return err;
}

static int swapper_process(int s)
{
	struct bpfvm *vm = chain_vm();
	struct bpfvm_object *obj = chain_object(vm);
	struct bpfvm_map *table = obj ? bpfvm_object_find_map(obj, "chain_table") : NULL;
	uint32_t ids[3], rng = 77u + (uint32_t)s;
	int errors = 0;

	if (!table) {
		atomic_fetch_sub(&sh->swappers_left, 1);
		return 1;
	}
	for (int e = 0; e < 3; e++)
		ids[e] = bpfvm_prog_id(bpfvm_object_find_prog(obj, end_names[e]));
	while (atomic_load(&sh->ready) < RUNNERS)
		sched_yield(); /* swaps under load: every runner running */
	for (int i = 0; i < SWAPS_EACH && errors < 10; i++)
		errors += swap_once(table, ids, &rng) != 0;
	atomic_fetch_sub(&sh->swappers_left, 1);
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
	return errors ? 2 : 0;
}

/* ---- the parent --------------------------------------------------------- */

static pid_t spawn(int (*fn)(int), int arg)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0)
		_exit(fn(arg));
	return pid;
}

static bool make_shared(void)
{
	pthread_mutexattr_t attr;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return false;
	memset(sh, 0, sizeof(*sh));
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&sh->swap_lock, &attr);
	pthread_mutexattr_destroy(&attr);
	sh->swappers_left = SWAPPER_PROCS;
	sh->history[0] = 0; /* the parent puts chain_end_a in first */
	return true;
}

/* The parent's copy: the relay in slot 1 and chain_end_a in slot 0. */
static struct bpfvm_object *set_up(struct bpfvm *vm)
{
	struct bpfvm_object *obj = chain_object(vm);
	struct bpfvm_map *table = obj ? bpfvm_object_find_map(obj, "chain_table") : NULL;
	uint32_t relay, end_a, zero = 0, one = 1;

	if (!table)
		return NULL;
	relay = bpfvm_prog_id(bpfvm_object_find_prog(obj, "chain_relay"));
	end_a = bpfvm_prog_id(bpfvm_object_find_prog(obj, "chain_end_a"));
	if (bpfvm_map_update(table, &one, &relay, BPF_ANY) ||
	    bpfvm_map_update(table, &zero, &end_a, BPF_ANY)) {
		fprintf(stderr, "slots: %s\n", bpfvm_errmsg());
		bpfvm_object_close(obj);
		return NULL;
	}
	return obj;
}

static void check_counts(const char *test, struct bpfvm_object *obj)
{
	struct bpfvm_map *counts = bpfvm_object_find_map(obj, "chain_counts");
	uint64_t total = 0, in_map[MARKS] = { 0 }, seen[MARKS] = { 0 };
	int kinds = 0;

	for (int m = 0; m < MARKS; m++) {
		uint32_t key = (uint32_t)m;

		for (int r = 0; r < RUNNERS; r++)
			seen[m] += atomic_load(&sh->seen[r][m]);
		bpfvm_map_lookup(counts, &key, &in_map[m]);
		total += seen[m];
		kinds += seen[m] > 0;
		testlib_check(test, in_map[m] == seen[m],
			      "mark %d: the shared counter says %llu runs, the runners saw %llu",
			      mark_values[m], (unsigned long long)in_map[m],
			      (unsigned long long)seen[m]);
	}
	printf("%s: %llu runs (a %llu, b %llu, c %llu, fell through %llu) during %u swaps\n",
	       test, (unsigned long long)total, (unsigned long long)seen[0],
	       (unsigned long long)seen[1], (unsigned long long)seen[2],
	       (unsigned long long)seen[FELL], atomic_load(&sh->done));
	testlib_check(test, total >= RUNNERS, "the runners ran (%llu runs)",
		      (unsigned long long)total);
	testlib_check(test, kinds >= 2, "runs ended in %d kinds of program: the swaps were seen",
		      kinds);
}

int main(int argc, char **argv)
{
	const char *test = "prog_array_swapped_by_processes_under_load";
	pid_t pids[RUNNER_PROCS + SWAPPER_PROCS];
	struct bpfvm_object *obj;
	struct bpfvm *vm;
	int failed_procs = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJDIR [interp|jit]\n", argv[0]);
		return 2;
	}
	objects_dir = argv[1];
	engine = argc > 2 && strcmp(argv[2], "interp") == 0 ? BPFVM_ENGINE_INTERP
							    : BPFVM_ENGINE_JIT;
	if (!make_shared())
		return 2;
	ns_test_root_make(root, sizeof(root));
	vm = chain_vm();
	obj = set_up(vm);
	testlib_check(test, obj != NULL, "the parent's copy loads and fills the slots");
	if (!obj) {
		bpfvm_destroy(vm);
		ns_test_root_remove(root);
		return testlib_summary();
	}
	for (int p = 0; p < RUNNER_PROCS; p++)
		pids[p] = spawn(runner_process, p);
	for (int s = 0; s < SWAPPER_PROCS; s++)
		pids[RUNNER_PROCS + s] = spawn(swapper_process, s);
	for (int i = 0; i < RUNNER_PROCS + SWAPPER_PROCS; i++) {
		int status;

		if (pids[i] < 0 || waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status)) {
			failed_procs++;
			if (pids[i] > 0 && WIFSIGNALED(status))
				fprintf(stderr, "process %d: signal %d\n", i, WTERMSIG(status));
		}
	}
	testlib_check(test, failed_procs == 0, "%d of %d processes failed or crashed", failed_procs,
		      RUNNER_PROCS + SWAPPER_PROCS);
	testlib_check(test, atomic_load(&sh->bad) == 0,
		      "%llu runs ended in a program not in the slot during the run: first: %s",
		      (unsigned long long)atomic_load(&sh->bad), sh->why);
	check_counts(test, obj);
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
	ns_test_root_remove(root);
	return testlib_summary();
}
