/* Maps under concurrent use, checked against models:
 *   - LPM trie: threads insert and delete prefixes in their own address
 *     ranges while looking up through the program side (the lock-free
 *     seqlock path) and the user side; every answer must be the model's
 *     longest prefix; at the end a walk finds exactly the model's entries.
 *   - QUEUE / STACK: producers push distinct values, consumers pop; every
 *     value comes out exactly once.
 *   - ARRAY: each thread rewrites its own elements with a recognisable
 *     pattern while others read them; the final values are the last written.
 *   - PROG_ARRAY / ARRAY_OF_MAPS: slots replaced while readers load them;
 *     a reader only ever sees NULL or one of the stored objects.
 *   - A holder that dies with the in-region lock (a forked child that
 *     exits while holding it) does not block the map, and an LPM trie left
 *     mid-change is repaired.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "maps/array.h"
#include "maps/map.h"
#include "maps/map_lock.h"
#include "maps/prog_array.h"
#include "maps_testutil.h"

#define THREADS 4

static struct bpfvm *vm;

/* ---- LPM ------------------------------------------------------------- */

#define LPM_SLOTS 24 /* prefixes per thread */

struct lpm_key4 {
	uint32_t prefixlen;
	uint8_t data[4];
};

struct lpm_worker {
	struct bpfvm_map *map;
	int id;
	unsigned failures;
	struct lpm_key4 keys[LPM_SLOTS];
	bool present[LPM_SLOTS];
	uint32_t values[LPM_SLOTS];
};

/* Thread `id` owns 10.id.0.0/16: its prefixes are /16 to /32 inside it. */
static struct lpm_key4 lpm_worker_key(int id, unsigned slot)
{
	static const uint8_t lens[] = { 16, 17, 20, 24, 24, 25, 28, 32 };
	struct lpm_key4 key = { lens[slot % 8], { 10, (uint8_t)id, 0, 0 } };

	key.data[2] = (uint8_t)(slot * 37);
	key.data[3] = (uint8_t)(slot * 11);
	return key;
}

static bool lpm_model_covers(const struct lpm_key4 *prefix, const uint8_t addr[4])
{
	for (uint32_t bit = 0; bit < prefix->prefixlen; bit++) {
		unsigned shift = 7 - bit % 8;

		if (((prefix->data[bit / 8] ^ addr[bit / 8]) >> shift) & 1)
			return false;
	}
	return true;
}

/* The model's answer for address addr: the value of the longest present
 * prefix covering it, or -1. Slots with equal keys: the last written. */
static int64_t lpm_model_lookup(const struct lpm_worker *w, const uint8_t addr[4])
{
	int best = -1;

	for (int i = 0; i < LPM_SLOTS; i++) {
		if (!w->present[i] || !lpm_model_covers(&w->keys[i], addr))
			continue;
		if (best < 0 || w->keys[i].prefixlen > w->keys[best].prefixlen)
			best = i;
	}
	return best < 0 ? -1 : (int64_t)w->values[best];
}

static void lpm_worker_check(struct lpm_worker *w, unsigned *seed)
{
	struct lpm_key4 probe = { 32, { 10, (uint8_t)w->id, 0, 0 } };
	int64_t want;
	uint32_t got = 0;
	int rc;

	*seed = *seed * 1103515245u + 12345u;
	probe.data[2] = (uint8_t)((*seed >> 8) % LPM_SLOTS * 37);
	probe.data[3] = (uint8_t)(*seed >> 20);
	want = lpm_model_lookup(w, probe.data);
	uint32_t *bpf_value = w->map->ops->bpf_lookup(w->map, &probe, 0);

	if ((bpf_value ? (int64_t)*bpf_value : -1) != want)
		w->failures++;
	rc = bpfvm_map_lookup(w->map, &probe, &got);
	if ((rc ? -1 : (int64_t)got) != want)
		w->failures++;
}

/* Two keys name the same entry when their prefixes are equal (the bits past
 * the prefix do not count). */
static bool lpm_same_entry(const struct lpm_key4 *a, const struct lpm_key4 *b)
{
	return a->prefixlen == b->prefixlen && lpm_model_covers(a, b->data);
}

/* Slots whose keys name the same entry share it; the model follows. */
static void lpm_model_set(struct lpm_worker *w, unsigned slot, bool present, uint32_t value)
{
	for (int i = 0; i < LPM_SLOTS; i++) {
		if (lpm_same_entry(&w->keys[i], &w->keys[slot])) {
			w->present[i] = present;
			w->values[i] = value;
		}
	}
}

static void *lpm_worker_run(void *arg)
{
	struct lpm_worker *w = arg;
	unsigned seed = 99u + (unsigned)w->id;

	for (unsigned i = 0; i < LPM_SLOTS; i++)
		w->keys[i] = lpm_worker_key(w->id, i);
	for (uint32_t round = 1; round <= 4000; round++) {
		seed = seed * 1103515245u + 12345u;
		unsigned slot = (seed >> 16) % LPM_SLOTS;

		if ((seed >> 8) & 1) {
			if (bpfvm_map_update(w->map, &w->keys[slot], &round, BPF_ANY) == 0)
				lpm_model_set(w, slot, true, round);
			else
				w->failures++;
		} else {
			int rc = bpfvm_map_delete(w->map, &w->keys[slot]);

			if (rc != (w->present[slot] ? 0 : -ENOENT))
				w->failures++;
			lpm_model_set(w, slot, false, 0);
		}
		lpm_worker_check(w, &seed);
	}
	return NULL;
}

static void test_lpm_hammer(void)
{
	const char *t = "lpm_concurrent_updates_match_a_model";
	struct bpfvm_map *map = create_map(vm, BPF_MAP_TYPE_LPM_TRIE, "hammer", 8, 4,
					   THREADS * LPM_SLOTS, BPF_F_NO_PREALLOC, NULL);
	struct lpm_worker workers[THREADS] = { 0 };
	pthread_t threads[THREADS];
	unsigned entries = 0, walked = 0;
	struct lpm_key4 key, next;

	if (!map)
		return;
	for (int i = 0; i < THREADS; i++) {
		workers[i] = (struct lpm_worker){ .map = map, .id = i + 1 };
		pthread_create(&threads[i], NULL, lpm_worker_run, &workers[i]);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(threads[i], NULL);
		testlib_check(t, workers[i].failures == 0, "thread %d: %u answers differ from the model",
			      i, workers[i].failures);
		for (int s = 0; s < LPM_SLOTS; s++) {
			bool first = true;

			for (int p = 0; p < s; p++)
				if (lpm_same_entry(&workers[i].keys[p], &workers[i].keys[s]))
					first = false;
			entries += first && workers[i].present[s];
		}
	}
	for (int rc = bpfvm_map_get_next_key(map, NULL, &next); rc == 0;
	     rc = bpfvm_map_get_next_key(map, &key, &next)) {
		key = next;
		if (++walked > 10000)
			break;
	}
	testlib_check(t, walked == entries, "walk found %u entries, the models hold %u", walked,
		      entries);
	bpfvm_map_close(map);
}

/* ---- QUEUE / STACK ---------------------------------------------------- */

#define QS_PER_PRODUCER 20000

struct qs_shared {
	struct bpfvm_map *map;
	_Atomic int producers_left;
	_Atomic uint32_t seen[THREADS / 2 * QS_PER_PRODUCER];
	_Atomic unsigned bad;
};

struct qs_arg {
	struct qs_shared *shared;
	uint32_t id;
};

static void *qs_producer(void *arg)
{
	struct qs_arg *a = arg;

	for (uint32_t i = 0; i < QS_PER_PRODUCER; i++) {
		uint32_t value = a->id * QS_PER_PRODUCER + i;

		/* Full: retry until a consumer makes room. */
		while (bpfvm_map_update(a->shared->map, NULL, &value, BPF_ANY) == -E2BIG)
			sched_yield();
	}
	atomic_fetch_sub(&a->shared->producers_left, 1);
	return NULL;
}

static void *qs_consumer(void *arg)
{
	struct qs_arg *a = arg;
	uint32_t value;

	for (;;) {
		int left = atomic_load(&a->shared->producers_left);
		int rc = (a->id & 1) ? bpfvm_map_lookup_and_delete(a->shared->map, NULL, &value)
				     : (int)a->shared->map->ops->bpf_pop(a->shared->map, &value);

		if (rc == -ENOENT) {
			if (left == 0)
				break;
			sched_yield();
			continue;
		}
		if (rc || value >= THREADS / 2 * QS_PER_PRODUCER)
			atomic_fetch_add(&a->shared->bad, 1);
		else
			atomic_fetch_add(&a->shared->seen[value], 1);
	}
	return NULL;
}

static void test_queue_stack_hammer(enum bpf_map_type type)
{
	const char *t = type == BPF_MAP_TYPE_QUEUE ? "queue_concurrent_values_come_out_once"
						   : "stack_concurrent_values_come_out_once";
	struct qs_shared *shared = calloc(1, sizeof(*shared));
	struct qs_arg args[THREADS];
	pthread_t threads[THREADS];
	unsigned missing = 0, twice = 0;

	shared->map = create_map(vm, type, "qs", 0, 4, 64, 0, NULL);
	if (!shared->map) {
		free(shared);
		return;
	}
	atomic_init(&shared->producers_left, THREADS / 2);
	for (uint32_t i = 0; i < THREADS; i++) {
		args[i] = (struct qs_arg){ shared, i < THREADS / 2 ? i : i - THREADS / 2 };
		pthread_create(&threads[i], NULL, i < THREADS / 2 ? qs_producer : qs_consumer,
			       &args[i]);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	for (uint32_t v = 0; v < THREADS / 2 * QS_PER_PRODUCER; v++) {
		missing += atomic_load(&shared->seen[v]) == 0;
		twice += atomic_load(&shared->seen[v]) > 1;
	}
	testlib_check(t, missing == 0 && twice == 0 && shared->bad == 0,
		      "%u values lost, %u popped twice, %u bad pops", missing, twice, shared->bad);
	bpfvm_map_close(shared->map);
	free(shared);
}

/* ---- ARRAY ------------------------------------------------------------ */

#define ARRAY_WORDS 8

struct array_arg {
	struct bpfvm_map *map;
	uint32_t id;
	uint32_t last;
	unsigned failures;
};

static void *array_worker(void *arg)
{
	struct array_arg *a = arg;
	uint64_t value[ARRAY_WORDS], out[ARRAY_WORDS];

	for (uint32_t round = 1; round <= 20000; round++) {
		uint32_t key = a->id;

		for (int w = 0; w < ARRAY_WORDS; w++)
			value[w] = ((uint64_t)a->id << 32) | round;
		if (bpfvm_map_update(a->map, &key, value, BPF_EXIST))
			a->failures++;
		a->last = round;
		/* Read a neighbour's element: always one of its whole
		 * patterns? Not promised (plain copies, as the kernel); only
		 * that the read succeeds. Our own is ours alone. */
		key = (a->id + 1) % THREADS;
		if (bpfvm_map_lookup(a->map, &key, out))
			a->failures++;
		key = a->id;
		if (bpfvm_map_lookup(a->map, &key, out) || memcmp(out, value, sizeof(out)))
			a->failures++;
	}
	return NULL;
}

static void test_array_hammer(void)
{
	const char *t = "array_concurrent_updates_keep_each_threads_values";
	struct bpfvm_map *map = create_map(vm, BPF_MAP_TYPE_ARRAY, "arr", 4, 8 * ARRAY_WORDS,
					   THREADS, 0, NULL);
	struct array_arg args[THREADS];
	pthread_t threads[THREADS];

	if (!map)
		return;
	for (uint32_t i = 0; i < THREADS; i++) {
		args[i] = (struct array_arg){ map, i, 0, 0 };
		pthread_create(&threads[i], NULL, array_worker, &args[i]);
	}
	for (uint32_t i = 0; i < THREADS; i++) {
		uint64_t out[ARRAY_WORDS];

		pthread_join(threads[i], NULL);
		testlib_check(t, args[i].failures == 0, "thread %u: %u failures", i, args[i].failures);
		bpfvm_map_lookup(map, &i, out);
		testlib_check(t, out[0] == (((uint64_t)i << 32) | args[i].last),
			      "element %u ends with the last write", i);
	}
	bpfvm_map_close(map);
}

/* ---- PROG_ARRAY / ARRAY_OF_MAPS ------------------------------------- */

struct slots_shared {
	struct bpfvm_map *progs;
	struct bpfvm_map *outer;
	struct bpfvm_prog *prog[2];
	struct bpfvm_map *inner[2];
	_Atomic bool stop;
	_Atomic unsigned bad;
};

static void *slots_writer(void *arg)
{
	struct slots_shared *s = arg;

	for (uint32_t round = 0; round < 20000; round++) {
		uint32_t key = round % 2, pid = bpfvm_prog_id(s->prog[round % 3 % 2]);
		uint32_t mid = s->inner[round % 3 % 2]->region->id;

		if (round % 5 == 4) {
			int a = bpfvm_map_delete(s->progs, &key), b = bpfvm_map_delete(s->outer, &key);

			if ((a && a != -ENOENT) || (b && b != -ENOENT))
				atomic_fetch_add(&s->bad, 1);
			continue;
		}
		if (bpfvm_map_update(s->progs, &key, &pid, BPF_ANY) ||
		    bpfvm_map_update(s->outer, &key, &mid, BPF_ANY))
			atomic_fetch_add(&s->bad, 1);
	}
	return NULL;
}

static void *slots_reader(void *arg)
{
	struct slots_shared *s = arg;

	while (!atomic_load(&s->stop)) {
		for (uint32_t key = 0; key < 2; key++) {
			struct bpfvm_prog *prog = prog_array_get(s->progs, key);
			struct bpfvm_map *inner = s->outer->ops->bpf_lookup(s->outer, &key, 0);
			uint32_t id;
			int rc = bpfvm_map_lookup(s->progs, &key, &id);

			if (prog && prog != s->prog[0] && prog != s->prog[1])
				atomic_fetch_add(&s->bad, 1);
			if (inner && inner != s->inner[0] && inner != s->inner[1])
				atomic_fetch_add(&s->bad, 1);
			if (rc == 0 && id != bpfvm_prog_id(s->prog[0]) && id != bpfvm_prog_id(s->prog[1]))
				atomic_fetch_add(&s->bad, 1);
		}
	}
	return NULL;
}

static struct bpfvm_prog *load_prog(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpfvm_prog *prog = NULL;

	bpfvm_prog_load_raw(vm, insns, 2, NULL, &prog);
	return prog;
}

static void test_slots_hammer(void)
{
	const char *t = "prog_array_and_map_of_maps_slots_swap_atomically";
	struct slots_shared s = { 0 };
	pthread_t threads[THREADS];

	s.progs = create_map(vm, BPF_MAP_TYPE_PROG_ARRAY, "jmp", 4, 4, 2, 0, NULL);
	s.inner[0] = create_map(vm, BPF_MAP_TYPE_ARRAY, "in0", 4, 4, 2, 0, NULL);
	s.inner[1] = create_map(vm, BPF_MAP_TYPE_ARRAY, "in1", 4, 4, 2, 0, NULL);
	s.outer = create_map(vm, BPF_MAP_TYPE_ARRAY_OF_MAPS, "outer", 4, 4, 2, 0, s.inner[0]);
	s.prog[0] = load_prog();
	s.prog[1] = load_prog();
	if (!s.progs || !s.inner[0] || !s.inner[1] || !s.outer || !s.prog[0] || !s.prog[1])
		return;
	for (int i = 0; i < THREADS; i++)
		pthread_create(&threads[i], NULL, i < 2 ? slots_writer : slots_reader, &s);
	for (int i = 0; i < 2; i++)
		pthread_join(threads[i], NULL);
	atomic_store(&s.stop, true);
	for (int i = 2; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	testlib_check(t, s.bad == 0, "%u unexpected results", s.bad);
	bpfvm_map_close(s.outer);
	bpfvm_map_close(s.inner[0]);
	bpfvm_map_close(s.inner[1]);
	bpfvm_map_close(s.progs);
	bpfvm_prog_free(s.prog[0]);
	bpfvm_prog_free(s.prog[1]);
}

/* ---- A holder that dies ------------------------------------------------ */

/* Every family here keeps its lock first in its header; regions are shared
 * mappings, so a forked child works on the parent's map. The child takes the
 * lock (and, for the LPM trie, leaves seq odd as if mid-change) and exits
 * without releasing it. */
static void die_holding_lock(struct bpfvm_map *map, bool odd_seq)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		struct map_owner_lock *lock = map_at(map, MAP_FAMILY_DATA_OFFSET);

		map_owner_lock_acquire(lock);
		if (odd_seq) {
			_Atomic uint32_t *seq = (_Atomic uint32_t *)(lock + 1);

			atomic_fetch_add(seq, 1);
		}
		_exit(0);
	}
	waitpid(pid, &status, 0);
}

static void test_dead_holder(void)
{
	const char *t = "a_lock_holder_that_dies_does_not_block_the_map";
	struct bpfvm_map *queue = create_map(vm, BPF_MAP_TYPE_QUEUE, "q", 0, 4, 4, 0, NULL);
	struct bpfvm_map *lpm = create_map(vm, BPF_MAP_TYPE_LPM_TRIE, "lpm", 8, 4, 4,
					   BPF_F_NO_PREALLOC, NULL);
	struct lpm_key4 key = { 16, { 10, 1, 0, 0 } }, probe = { 32, { 10, 1, 2, 3 } };
	uint32_t value = 5;

	if (!queue || !lpm)
		return;
	expect_rc(t, bpfvm_map_update(queue, NULL, &value, 0), 0, NULL);
	die_holding_lock(queue, false);
	value = 6;
	expect_rc(t, bpfvm_map_update(queue, NULL, &value, 0), 0, NULL);
	expect_rc(t, bpfvm_map_lookup_and_delete(queue, NULL, &value), 0, NULL);
	testlib_check(t, value == 5, "queue intact after recovery (%u)", value);

	expect_rc(t, bpfvm_map_update(lpm, &key, &value, 0), 0, NULL);
	die_holding_lock(lpm, true);
	uint32_t *found = lpm->ops->bpf_lookup(lpm, &probe, 0);

	testlib_check(t, found && *found == 5, "program lookup after the holder died");
	for (uint8_t i = 0; i < 3; i++) {
		struct lpm_key4 more = { 24, { 10, 1, i, 0 } };

		expect_rc(t, bpfvm_map_update(lpm, &more, &value, 0), 0, NULL);
	}
	struct lpm_key4 full = { 24, { 10, 1, 9, 0 } };

	expect_rc(t, bpfvm_map_update(lpm, &full, &value, 0), -ENOSPC, "full");
	bpfvm_map_close(queue);
	bpfvm_map_close(lpm);
}

int main(void)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = 2 };

	if (bpfvm_create(&opts, &vm)) {
		printf("cannot create a runtime: %s\n", bpfvm_errmsg());
		return 1;
	}
	test_lpm_hammer();
	test_queue_stack_hammer(BPF_MAP_TYPE_QUEUE);
	test_queue_stack_hammer(BPF_MAP_TYPE_STACK);
	test_array_hammer();
	test_slots_hammer();
	test_dead_holder();
	bpfvm_destroy(vm);
	return testlib_summary();
}
