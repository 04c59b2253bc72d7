/* The owner lock of QUEUE and STACK maps (src/maps/map_lock.h):
 *   - a process killed inside a push or a pop (it faults in the middle of
 *     copying the value, still holding the lock, and is killed with -9
 *     there) leaves a ring the next user finds whole: nothing pushed or
 *     popped, except that a full push with BPF_EXIST has dropped the oldest;
 *   - a live holder that keeps the lock far longer than a waiter's check
 *     interval is never taken over from, and its waiters sleep and then go;
 *   - a word whose holder field names a thread that started at another time
 *     (a reused tid) is taken over from;
 *   - threads contending on a small queue and stack pass every value once,
 *     and leave the lock free.
 * Regions are shared mappings, so a forked child works on the parent's map.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/owner.h"
#include "maps/array.h"
#include "maps/map.h"
#include "maps/map_lock.h"
#include "maps_testutil.h"

#define VALUE_SIZE 256u
#define ENTRIES 4u

static struct bpfvm *vm;
static int ready_pipe[2];

/* Every family using the owner lock keeps it first in its header. */
static struct map_owner_lock *map_owner_lock(struct bpfvm_map *map)
{
	return map_at(map, MAP_FAMILY_DATA_OFFSET);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void fill_value(uint8_t value[VALUE_SIZE], uint8_t n)
{
	memset(value, n, VALUE_SIZE);
}

/* ---- Killed inside the critical section ------------------------------- */

/* The child's fault: it is inside the map's copy, holding the lock. Tell
 * the parent and wait for its kill -9. */
static void child_faulted(int sig)
{
	(void)sig;
	if (write(ready_pipe[1], "x", 1) != 1)
		_exit(3);
	for (;;)
		pause();
}

/* A value buffer whose second half lies on a page the child cannot touch:
 * the map's copy faults midway. */
static uint8_t *faulting_buffer(void)
{
	long page = sysconf(_SC_PAGESIZE);
	uint8_t *pages = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (pages == MAP_FAILED || mprotect(pages + page, page, PROT_NONE))
		return NULL;
	memset(pages, 0x77, page);
	return pages + page - VALUE_SIZE / 2;
}

enum dying_op { DIE_IN_PUSH, DIE_IN_PUSH_EXIST, DIE_IN_POP, DIE_IN_PEEK };

/* Runs `op` in a child that faults inside it and is killed there; checks
 * that the child died holding the map's lock. */
static bool kill_inside(const char *test, struct bpfvm_map *map, enum dying_op op)
{
	struct sigaction action = { .sa_handler = child_faulted };
	bool faulted, held;
	uint32_t word;
	pid_t pid;
	char c;

	pid = fork();
	if (pid == 0) {
		uint8_t *buffer = faulting_buffer();

		if (!buffer || sigaction(SIGSEGV, &action, NULL))
			_exit(2);
		if (op == DIE_IN_PUSH || op == DIE_IN_PUSH_EXIST)
			bpfvm_map_update(map, NULL, buffer, op == DIE_IN_PUSH ? BPF_ANY : BPF_EXIST);
		else if (op == DIE_IN_POP)
			bpfvm_map_lookup_and_delete(map, NULL, buffer);
		else
			bpfvm_map_lookup(map, NULL, buffer);
		_exit(1); /* the copy did not fault */
	}
	faulted = read(ready_pipe[0], &c, 1) == 1;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	word = atomic_load(&map_owner_lock(map)->word);
	held = faulted && (word & OWNER_TID_MASK) == (uint32_t)pid;
	testlib_check(test, held, "the child faulted in the copy (%d) holding the lock "
		      "(word 0x%x, child %d)", faulted, word, pid);
	return held;
}

/* Pops everything: the first bytes of each value, in pop order. */
static unsigned drain(struct bpfvm_map *map, uint8_t *order, unsigned max)
{
	uint8_t value[VALUE_SIZE];
	unsigned n = 0;

	while (n < max && bpfvm_map_lookup_and_delete(map, NULL, value) == 0)
		order[n++] = value[0];
	return n;
}

/* Kills a child inside `op` on a map holding 1..`pushed`, then checks that
 * the parent pops exactly `want` (pop order) and can push again. */
static void dies_inside(const char *test, enum bpf_map_type type, enum dying_op op,
			unsigned pushed, const uint8_t *want, unsigned n_want)
{
	struct bpfvm_map *map = create_map(vm, type, "q", 0, VALUE_SIZE, ENTRIES, 0, NULL);
	uint8_t value[VALUE_SIZE], order[ENTRIES + 2];
	uint64_t start;
	unsigned n;

	if (!map)
		return;
	for (unsigned i = 1; i <= pushed; i++) {
		fill_value(value, (uint8_t)i);
		bpfvm_map_update(map, NULL, value, BPF_ANY);
	}
	if (kill_inside(test, map, op)) {
		start = now_ns();
		n = drain(map, order, ENTRIES + 2);
		testlib_check(test, now_ns() - start < 2000000000u,
			      "the lock was recovered in %llu ms",
			      (unsigned long long)(now_ns() - start) / 1000000);
		testlib_check(test, n == n_want && memcmp(order, want, n) == 0,
			      "popped %u values (want %u), first %u, last %u", n, n_want,
			      n ? order[0] : 0, n ? order[n - 1] : 0);
		for (unsigned i = 0; i < ENTRIES; i++) {
			fill_value(value, (uint8_t)(100 + i));
			expect_rc(test, bpfvm_map_update(map, NULL, value, BPF_ANY), 0, NULL);
		}
		n = drain(map, order, ENTRIES + 2);
		testlib_check(test, n == ENTRIES, "after the recovery, %u of %u values refilled", n,
			      ENTRIES);
		testlib_check(test, atomic_load(&map_owner_lock(map)->word) == 0,
			      "the lock ends free");
	}
	bpfvm_map_close(map);
}

static void test_killed_inside(void)
{
	static const uint8_t fifo3[] = { 1, 2, 3 }, lifo3[] = { 3, 2, 1 };
	static const uint8_t fifo_dropped[] = { 2, 3, 4 }, lifo_dropped[] = { 4, 3, 2 };

	dies_inside("a_queue_push_killed_mid_copy_pushes_nothing", BPF_MAP_TYPE_QUEUE,
		    DIE_IN_PUSH, 3, fifo3, 3);
	dies_inside("a_stack_push_killed_mid_copy_pushes_nothing", BPF_MAP_TYPE_STACK,
		    DIE_IN_PUSH, 3, lifo3, 3);
	dies_inside("a_full_queue_push_exist_killed_mid_copy_has_only_dropped_the_oldest",
		    BPF_MAP_TYPE_QUEUE, DIE_IN_PUSH_EXIST, ENTRIES, fifo_dropped, 3);
	dies_inside("a_full_stack_push_exist_killed_mid_copy_has_only_dropped_the_oldest",
		    BPF_MAP_TYPE_STACK, DIE_IN_PUSH_EXIST, ENTRIES, lifo_dropped, 3);
	dies_inside("a_queue_pop_killed_mid_copy_pops_nothing", BPF_MAP_TYPE_QUEUE, DIE_IN_POP,
		    3, fifo3, 3);
	dies_inside("a_stack_pop_killed_mid_copy_pops_nothing", BPF_MAP_TYPE_STACK, DIE_IN_POP,
		    3, lifo3, 3);
	dies_inside("a_queue_peek_killed_mid_copy_changes_nothing", BPF_MAP_TYPE_QUEUE,
		    DIE_IN_PEEK, 3, fifo3, 3);
}

/* ---- A live holder, a reused tid --------------------------------------- */

struct waiter {
	struct bpfvm_map *map;
	_Atomic unsigned *done;
};

static void *push_one(void *arg)
{
	struct waiter *w = arg;
	uint8_t value[VALUE_SIZE];

	fill_value(value, 9);
	if (bpfvm_map_update(w->map, NULL, value, BPF_ANY) == 0)
		atomic_fetch_add(w->done, 1);
	return NULL;
}

/* Holds the queue's lock for 100 ms (ten check intervals) while two threads
 * push: they must wait it out, then both push. */
static void test_live_holder(void)
{
	const char *test = "a_live_holder_is_never_taken_over_from";
	struct bpfvm_map *map = create_map(vm, BPF_MAP_TYPE_QUEUE, "q", 0, VALUE_SIZE, ENTRIES,
					   0, NULL);
	struct timespec hold = { 0, 100 * 1000000L };
	_Atomic unsigned done = 0;
	struct waiter w = { map, &done };
	pthread_t threads[2];
	uint32_t word;

	if (!map)
		return;
	testlib_check(test, map_owner_lock_acquire(map_owner_lock(map)) == 0, "taken");
	for (int i = 0; i < 2; i++)
		pthread_create(&threads[i], NULL, push_one, &w);
	nanosleep(&hold, NULL);
	word = atomic_load(&map_owner_lock(map)->word);
	testlib_check(test, (word & OWNER_TID_MASK) == owner_tid() && atomic_load(&done) == 0,
		      "after 100 ms the holder still has it (word 0x%x) and %u pushes went in",
		      word, atomic_load(&done));
	testlib_check(test, word & MAP_OWNER_LOCK_WAITERS, "the waiters sleep (word 0x%x)", word);
	map_owner_lock_release(map_owner_lock(map));
	for (int i = 0; i < 2; i++)
		pthread_join(threads[i], NULL);
	testlib_check(test, atomic_load(&done) == 2, "%u of 2 waiters pushed", atomic_load(&done));
	testlib_check(test, atomic_load(&map_owner_lock(map)->word) == 0, "the lock ends free");
	bpfvm_map_close(map);
}

static void *acquire_once(void *arg)
{
	struct map_owner_lock *lock = arg;
	int rc = map_owner_lock_acquire(lock);

	map_owner_lock_release(lock);
	return (void *)(intptr_t)rc;
}

/* The word names this (live) thread, but the holder field says that the
 * thread of that tid started at another time: the tid was reused, and the
 * holder is dead. With the right start time it is alive: the waiter must
 * not take over (it is stopped by a release after 50 ms). */
static void test_reused_tid(void)
{
	const char *test = "a_holder_whose_tid_was_reused_is_taken_over_from";
	struct map_owner_lock lock;
	struct timespec hold = { 0, 50 * 1000000L };
	uint64_t self = owner_ident();
	pthread_t thread;
	void *rc;

	map_owner_lock_init(&lock);
	atomic_store(&lock.word, (uint32_t)(self >> 32));
	atomic_store(&lock.holder, self ^ 1);
	pthread_create(&thread, NULL, acquire_once, &lock);
	pthread_join(thread, &rc);
	testlib_check(test, (intptr_t)rc == MAP_LOCK_RECOVERED,
		      "a stale holder: the waiter got %d, want MAP_LOCK_RECOVERED", (int)(intptr_t)rc);
	testlib_check(test, atomic_load(&lock.word) == 0, "the lock ends free");

	atomic_store(&lock.word, (uint32_t)(self >> 32));
	atomic_store(&lock.holder, self);
	pthread_create(&thread, NULL, acquire_once, &lock);
	nanosleep(&hold, NULL);
	testlib_check(test, (atomic_load(&lock.word) & OWNER_TID_MASK) == (uint32_t)(self >> 32),
		      "a live holder keeps it");
	map_owner_lock_release(&lock);
	pthread_join(thread, &rc);
	testlib_check(test, (intptr_t)rc == 0, "then the waiter gets it: %d", (int)(intptr_t)rc);
}

/* ---- Threads contending ------------------------------------------------ */

#define THREADS 4
#define PER_THREAD 4000u

struct contender {
	struct bpfvm_map *map;
	uint32_t id;
	_Atomic uint8_t *seen;
	_Atomic unsigned *bad;
};

/* Pushes its values (retrying on a full map) and pops as many. */
static void *contend(void *arg)
{
	struct contender *c = arg;
	uint32_t value[VALUE_SIZE / 4] = { 0 }, popped = 0;

	for (uint32_t i = 0; i < PER_THREAD; i++) {
		value[0] = c->id * PER_THREAD + i;
		while (bpfvm_map_update(c->map, NULL, value, BPF_ANY) == -E2BIG) {
			if (bpfvm_map_lookup_and_delete(c->map, NULL, value) == 0) {
				popped++;
				if (value[0] >= THREADS * PER_THREAD ||
				    atomic_fetch_add(&c->seen[value[0]], 1))
					atomic_fetch_add(c->bad, 1);
				value[0] = c->id * PER_THREAD + i;
			}
		}
	}
	return NULL;
}

static void contended(const char *test, enum bpf_map_type type)
{
	static _Atomic uint8_t seen[THREADS * PER_THREAD];
	struct bpfvm_map *map = create_map(vm, type, "q", 0, VALUE_SIZE, ENTRIES, 0, NULL);
	struct contender c[THREADS];
	pthread_t threads[THREADS];
	_Atomic unsigned bad = 0;
	uint32_t value[VALUE_SIZE / 4], missing = 0;

	if (!map)
		return;
	memset(seen, 0, sizeof(seen));
	for (uint32_t i = 0; i < THREADS; i++) {
		c[i] = (struct contender){ map, i, seen, &bad };
		pthread_create(&threads[i], NULL, contend, &c[i]);
	}
	for (uint32_t i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	while (bpfvm_map_lookup_and_delete(map, NULL, value) == 0)
		if (value[0] >= THREADS * PER_THREAD || atomic_fetch_add(&seen[value[0]], 1))
			atomic_fetch_add(&bad, 1);
	for (uint32_t i = 0; i < THREADS * PER_THREAD; i++)
		missing += atomic_load(&seen[i]) == 0;
	testlib_check(test, atomic_load(&bad) == 0 && missing == 0,
		      "%u values popped twice or never pushed, %u never popped", atomic_load(&bad),
		      missing);
	testlib_check(test, atomic_load(&map_owner_lock(map)->word) == 0, "the lock ends free");
	bpfvm_map_close(map);
}

int main(void)
{
	if (bpfvm_create(NULL, &vm) || pipe(ready_pipe)) {
		printf("FAIL setup: %s\n", bpfvm_errmsg());
		return 1;
	}
	test_killed_inside();
	test_live_holder();
	test_reused_tid();
	contended("threads_contending_on_a_queue_pass_every_value_once", BPF_MAP_TYPE_QUEUE);
	contended("threads_contending_on_a_stack_pass_every_value_once", BPF_MAP_TYPE_STACK);
	bpfvm_destroy(vm);
	return testlib_summary();
}
