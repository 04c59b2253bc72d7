/* Maps hammered by several threads AND several processes of one namespace
 * (a temporary root; maps shared by pin), with a model checked afterwards.
 *
 *   atomic adds   every thread of every process runs stress.bpf.c's program
 *                 (an atomic add on an ARRAY and a HASH value, the HASH key
 *                 inserted by whoever comes first): each slot must end at
 *                 exactly the number of runs that hit it (no lost update).
 *   owners        HASH and PERCPU_HASH keys, each owned by one writer
 *                 (process x thread), rewritten with { n, ~n } while every
 *                 other thread reads: no read sees halves that disagree (no
 *                 torn value), and each key ends with its owner's last n.
 *   queue, stack  producer processes push distinct values, consumer
 *                 processes pop: every value comes out exactly once.
 *   LPM trie      each process owns 10.p.0.0/16 and inserts and deletes the
 *                 nested prefixes /16 /20 /24 /28 /32 of one address at
 *                 random (a seeded sequence), looking up two addresses
 *                 after each change: every answer is the model's longest
 *                 present prefix; after the processes end, the parent,
 *                 replaying the same sequences, finds the same answers.
 *   LRU           LRU_HASH (common lists, and BPF_F_NO_COMMON_LRU) shared
 *                 by processes of 2 threads, many more keys than
 *                 max_entries: never more than max_entries live, each key
 *                 once with its own value, and every element on exactly one
 *                 list, as many in use as keys (hash_lru_census).
 *   kill -9       owner writers of HASH, QUEUE, LRU_HASH and LRU_PERCPU_HASH
 *                 (per-CPU lists) killed at random moments.
 *                 "Consistent" afterwards: HASH iteration ends, at most
 *                 max_entries keys, every value's halves agree except at
 *                 most one key per killed writer (the element it was
 *                 writing: docs/namespace.md, a value written without a lock
 *                 may be torn), the map empties and refills to max_entries;
 *                 QUEUE pops only values that were pushed, each at most
 *                 once, then fills to max_entries; the LRU maps iterate each
 *                 key once within max_entries (LRU_HASH values never torn),
 *                 and once the next write repaired them no element is lost
 *                 or on two lists; they empty and refill.
 *   dead replace  (deterministic) a writer killed while replacing a key's
 *                 element, between linking the new element and unlinking
 *                 the old: the key must be there once, not twice.
 *   dead LRU move (deterministic) a writer killed holding a bucket lock with
 *                 an element unlinked and not freed and another half taken
 *                 off its list: after the next write no element is lost.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bpfvm/bpfvm.h"
#include "maps/hash.h"
#include "ns/ns_testlib.h"
#include "testlib.h"

#define PROCS 3
#define THREADS 2
#define SLOTS 16 /* stress.bpf.c's STRESS_SLOTS */
#define RUNS_PER_SLOT 300

static const char *objects_dir;
static char root[64];

/* ---- Atomic adds --------------------------------------------------- */

struct adder {
	struct bpfvm_prog *prog;
	int failures;
};

static void *adder_thread(void *arg)
{
	struct adder *adder = arg;

	for (uint32_t slot = 0; slot < SLOTS; slot++) {
		uint32_t packet[16] = { slot };
		struct bpfvm_test_run_opts run = {
			.sz = sizeof(run), .data_in = packet, .data_size_in = sizeof(packet),
			.repeat = RUNS_PER_SLOT,
		};

		int err = bpfvm_prog_test_run(adder->prog, &run);

		if (err || run.retval != XDP_PASS) {
			fprintf(stderr, "run: %d, retval %u: %s\n", err, run.retval,
				err ? bpfvm_errmsg() : "");
			adder->failures++;
		}
	}
	return NULL;
}

static struct bpfvm_object *stress_object(struct bpfvm *vm)
{
	return ns_test_load_object(vm, objects_dir, "stress.bpf.o");
}

/* One process: its own runtime and copy of the object, THREADS runners. */
static int adder_process(const char *ns_root, void *arg)
{
	struct bpfvm *vm = ns_test_vm(ns_root);
	struct bpfvm_object *obj = stress_object(vm);
	struct adder adders[THREADS] = { 0 };
	pthread_t threads[THREADS];
	int failures = 0;

	(void)arg;
	if (!obj)
		return 1;
	for (int i = 0; i < THREADS; i++) {
		adders[i].prog = bpfvm_object_find_prog(obj, "stress_add");
		pthread_create(&threads[i], NULL, adder_thread, &adders[i]);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(threads[i], NULL);
		failures += adders[i].failures;
	}
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
	return failures ? 2 : 0;
}

static void test_atomic_adds(void)
{
	const char *test = "atomic_adds_of_threads_and_processes_are_never_lost";
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj = stress_object(vm);
	pid_t pids[PROCS];
	int bad = 0;

	testlib_check(test, obj != NULL, "object: %s", bpfvm_errmsg());
	if (!obj)
		return;
	for (int p = 0; p < PROCS; p++) {
		pids[p] = fork();
		if (pids[p] == 0)
			_exit(adder_process(root, NULL));
	}
	/* This process runs too, at the same time. */
	bad += adder_process(root, NULL) != 0;
	for (int p = 0; p < PROCS; p++) {
		int status;

		waitpid(pids[p], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fprintf(stderr, "runner %d: status 0x%x\n", p, status);
		bad += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	}
	testlib_check(test, bad == 0, "%d runner processes failed", bad);
	const char *names[] = { "stress_array", "stress_hash" };
	uint64_t want = (uint64_t)(PROCS + 1) * THREADS * RUNS_PER_SLOT;

	for (int m = 0; m < 2; m++) {
		struct bpfvm_map *map = bpfvm_object_find_map(obj, names[m]);

		for (uint32_t slot = 0; slot < SLOTS; slot++) {
			uint64_t value = 0;
			int err = bpfvm_map_lookup(map, &slot, &value);

			testlib_check(test, err == 0 && value == want,
				      "%s[%u] = %llu (err %d), want %llu", names[m], slot,
				      (unsigned long long)value, err, (unsigned long long)want);
		}
	}
	bpfvm_obj_unpin(vm, "stress_array");
	bpfvm_obj_unpin(vm, "stress_hash");
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
}

/* ---- Owners: no torn value, last write wins ------------------------- */

#define OWNER_KEYS 8	 /* per writer */
#define OWNER_ROUNDS 400 /* rewrites of each key */
#define OWNER_WRITERS (PROCS * THREADS)

struct pattern {
	uint64_t n, not_n;
};

struct owner {
	struct bpfvm_map *map;
	uint32_t writer; /* 0 .. OWNER_WRITERS - 1 */
	size_t value_size;
	int torn, failures;
};

static bool pattern_whole(const uint8_t *value, size_t value_size)
{
	/* Per-CPU values: each CPU's copy is a pattern of its own. */
	for (size_t off = 0; off < value_size; off += sizeof(struct pattern)) {
		const struct pattern *p = (const void *)(value + off);

		if (p->n != ~p->not_n)
			return false;
	}
	return true;
}

static void pattern_fill(uint8_t *value, size_t value_size, uint64_t n)
{
	for (size_t off = 0; off < value_size; off += sizeof(struct pattern)) {
		struct pattern p = { n, ~n };

		memcpy(value + off, &p, sizeof(p));
	}
}

static void *owner_thread(void *arg)
{
	struct owner *o = arg;
	uint8_t value[512];
	unsigned seed = o->writer;

	for (uint64_t n = 1; n <= OWNER_ROUNDS; n++) {
		for (uint32_t k = 0; k < OWNER_KEYS; k++) {
			uint32_t key = o->writer * OWNER_KEYS + k;

			pattern_fill(value, o->value_size, n);
			o->failures += bpfvm_map_update(o->map, &key, value, BPF_ANY) != 0;
			/* Someone else's key, being rewritten now. */
			key = (uint32_t)rand_r(&seed) % (OWNER_WRITERS * OWNER_KEYS);
			if (bpfvm_map_lookup(o->map, &key, value) == 0 &&
			    !pattern_whole(value, o->value_size))
				o->torn++;
		}
	}
	return NULL;
}

struct owner_args {
	const char *pin;
	uint32_t proc;
};

static int owner_process(const char *ns_root, void *arg)
{
	const struct owner_args *args = arg;
	struct bpfvm *vm = ns_test_vm(ns_root);
	struct owner owners[THREADS] = { 0 };
	pthread_t threads[THREADS];
	struct bpfvm_map *map;
	int torn = 0, failures = 0;

	if (bpfvm_map_get_by_pin(vm, args->pin, NULL, &map))
		return 1;
	for (int i = 0; i < THREADS; i++) {
		owners[i] = (struct owner){ map, args->proc * THREADS + (uint32_t)i,
					    bpfvm_map_value_size_user(map), 0, 0 };
		pthread_create(&threads[i], NULL, owner_thread, &owners[i]);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(threads[i], NULL);
		torn += owners[i].torn;
		failures += owners[i].failures;
	}
	bpfvm_map_close(map);
	bpfvm_destroy(vm);
	if (torn)
		fprintf(stderr, "process %u: %d torn reads\n", args->proc, torn);
	return torn ? 3 : failures ? 2 : 0;
}

static pid_t spawn(int (*fn)(const char *, void *), void *arg)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(root, arg));
	return pid;
}

static int wait_all(const pid_t *pids, int count)
{
	int bad = 0;

	for (int i = 0; i < count; i++) {
		int status;

		waitpid(pids[i], &status, 0);
		bad += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	}
	return bad;
}

static void test_owners(enum bpf_map_type type, const char *test)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct owner_args args[PROCS];
	struct bpfvm_map *map;
	pid_t pids[PROCS];
	uint8_t value[512];
	int bad;

	if (bpfvm_map_create(vm, type, "owners", 4, sizeof(struct pattern),
			     OWNER_WRITERS * OWNER_KEYS, NULL, &map) ||
	    bpfvm_map_pin(map, "owners")) {
		testlib_check(test, false, "create: %s", bpfvm_errmsg());
		return;
	}
	for (uint32_t p = 0; p < PROCS; p++) {
		args[p] = (struct owner_args){ "owners", p };
		pids[p] = spawn(owner_process, &args[p]);
	}
	bad = wait_all(pids, PROCS);
	testlib_check(test, bad == 0, "%d writer processes saw torn values or failed", bad);
	for (uint32_t key = 0; key < OWNER_WRITERS * OWNER_KEYS; key++) {
		uint8_t want[512];
		size_t size = bpfvm_map_value_size_user(map);

		pattern_fill(want, size, OWNER_ROUNDS);
		testlib_check(test, bpfvm_map_lookup(map, &key, value) == 0 &&
					    memcmp(value, want, size) == 0,
			      "key %u does not hold its owner's last write", key);
	}
	bpfvm_obj_unpin(vm, "owners");
	bpfvm_map_close(map);
	bpfvm_destroy(vm);
}

/* ---- Queue / stack: every value exactly once ------------------------ */

#define QS_PER_PRODUCER 3000
#define QS_PRODUCERS 2
#define QS_CONSUMERS 2

struct qs_args {
	uint32_t index;
};

static int qs_producer(const char *ns_root, void *arg)
{
	const struct qs_args *args = arg;
	struct bpfvm *vm = ns_test_vm(ns_root);
	struct bpfvm_map *map;

	if (bpfvm_map_get_by_pin(vm, "qs", NULL, &map))
		return 1;
	for (uint32_t i = 0; i < QS_PER_PRODUCER; i++) {
		uint64_t value = (uint64_t)args->index << 32 | i;
		int err;

		while ((err = bpfvm_map_update(map, NULL, &value, BPF_ANY)) == -E2BIG)
			sched_yield(); /* full: let a consumer in */
		if (err)
			return 2;
	}
	bpfvm_map_close(map);
	bpfvm_destroy(vm);
	return 0;
}

/* Pops until the producers are done and the map is empty; writes every
 * value it got to <root>/popped.<index>. */
static int qs_consumer(const char *ns_root, void *arg)
{
	const struct qs_args *args = arg;
	struct bpfvm *vm = ns_test_vm(ns_root);
	struct bpfvm_map *map, *done;
	char path[128];
	FILE *out;
	uint32_t zero = 0;

	snprintf(path, sizeof(path), "%s/popped.%u", ns_root, args->index);
	out = fopen(path, "w");
	if (!out || bpfvm_map_get_by_pin(vm, "qs", NULL, &map) ||
	    bpfvm_map_get_by_pin(vm, "qs_done", NULL, &done))
		return 1;
	for (;;) {
		uint64_t value, finished = 0;

		if (bpfvm_map_lookup_and_delete(map, NULL, &value) == 0) {
			fwrite(&value, sizeof(value), 1, out);
			continue;
		}
		/* Empty: finished when the producers were done before we
		 * found it empty. */
		bpfvm_map_lookup(done, &zero, &finished);
		if (finished && bpfvm_map_lookup_and_delete(map, NULL, &value) == -ENOENT)
			break;
		if (finished)
			fwrite(&value, sizeof(value), 1, out);
		sched_yield();
	}
	fclose(out);
	bpfvm_map_close(map);
	bpfvm_map_close(done);
	bpfvm_destroy(vm);
	return 0;
}

static void test_queue_stack(enum bpf_map_type type, const char *test)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct qs_args prod[QS_PRODUCERS], cons[QS_CONSUMERS];
	pid_t producers[QS_PRODUCERS], consumers[QS_CONSUMERS];
	static uint8_t seen[QS_PRODUCERS][QS_PER_PRODUCER];
	struct bpfvm_map *map, *done;
	uint32_t zero = 0;
	uint64_t one = 1;
	int bad, dup = 0, foreign = 0, missing = 0;

	memset(seen, 0, sizeof(seen));
	if (bpfvm_map_create(vm, type, "qs", 0, 8, 64, NULL, &map) || bpfvm_map_pin(map, "qs") ||
	    bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY, "qs_done", 4, 8, 1, NULL, &done) ||
	    bpfvm_map_pin(done, "qs_done")) {
		testlib_check(test, false, "create: %s", bpfvm_errmsg());
		return;
	}
	for (uint32_t i = 0; i < QS_CONSUMERS; i++) {
		cons[i].index = i;
		consumers[i] = spawn(qs_consumer, &cons[i]);
	}
	for (uint32_t i = 0; i < QS_PRODUCERS; i++) {
		prod[i].index = i;
		producers[i] = spawn(qs_producer, &prod[i]);
	}
	bad = wait_all(producers, QS_PRODUCERS);
	bpfvm_map_update(done, &zero, &one, BPF_ANY);
	bad += wait_all(consumers, QS_CONSUMERS);
	testlib_check(test, bad == 0, "%d producer or consumer processes failed", bad);
	for (uint32_t i = 0; i < QS_CONSUMERS; i++) {
		char path[128];
		uint64_t value;
		FILE *in;

		snprintf(path, sizeof(path), "%s/popped.%u", root, i);
		in = fopen(path, "r");
		while (in && fread(&value, sizeof(value), 1, in) == 1) {
			uint32_t who = (uint32_t)(value >> 32), n = (uint32_t)value;

			if (who >= QS_PRODUCERS || n >= QS_PER_PRODUCER)
				foreign++;
			else if (seen[who][n]++)
				dup++;
		}
		if (in)
			fclose(in);
		unlink(path);
	}
	for (uint32_t who = 0; who < QS_PRODUCERS; who++)
		for (uint32_t n = 0; n < QS_PER_PRODUCER; n++)
			missing += !seen[who][n];
	testlib_check(test, !dup && !foreign && !missing,
		      "%d values popped twice, %d never pushed, %d never popped", dup, foreign,
		      missing);
	bpfvm_obj_unpin(vm, "qs");
	bpfvm_obj_unpin(vm, "qs_done");
	bpfvm_map_close(map);
	bpfvm_map_close(done);
	bpfvm_destroy(vm);
}

/* ---- LPM trie: answers = the model, across processes ----------------- */

#define LPM_ROUNDS 400
#define LPM_LENS 5

static const uint32_t lpm_lens[LPM_LENS] = { 16, 20, 24, 28, 32 };

struct lpm_key {
	uint32_t prefixlen;
	uint8_t addr[4];
};

struct lpm_model {
	bool present[LPM_LENS];
	uint64_t value[LPM_LENS];
};

/* The model's answer for host `host` of 10.p.1.0/24: the value of the
 * longest present prefix that contains it, or 0 for none. Host 1 is in
 * all five prefixes, host 200 only in /16, /20 and /24. */
static uint64_t lpm_model_answer(const struct lpm_model *m, uint8_t host)
{
	uint64_t answer = 0;

	for (int i = 0; i < LPM_LENS; i++)
		if (m->present[i] && (host == 1 || lpm_lens[i] <= 24))
			answer = m->value[i];
	return answer;
}

/* Round r of process p's sequence: which prefix, insert or delete. */
static void lpm_model_step(struct lpm_model *m, uint32_t p, unsigned *seed, uint32_t round,
			   int *which, bool *insert)
{
	*which = (int)((unsigned)rand_r(seed) % LPM_LENS);
	*insert = rand_r(seed) % 3 != 0;
	m->present[*which] = *insert;
	m->value[*which] = (uint64_t)p << 32 | round << 8 | (uint32_t)*which;
}

static struct lpm_key lpm_key_of(uint32_t p, uint32_t len, uint8_t host)
{
	struct lpm_key key = { len, { 10, (uint8_t)p, 1, host } };

	return key;
}

/* Checks both addresses of process p against the model: 0 or 1. */
static int lpm_check_answers(struct bpfvm_map *map, uint32_t p, const struct lpm_model *m)
{
	static const uint8_t hosts[] = { 1, 200 };
	int wrong = 0;

	for (int h = 0; h < 2; h++) {
		struct lpm_key key = lpm_key_of(p, 32, hosts[h]);
		uint64_t value = 0, want = lpm_model_answer(m, hosts[h]);
		int err = bpfvm_map_lookup(map, &key, &value);

		if (want ? (err || value != want) : err != -ENOENT) {
			if (!wrong)
				fprintf(stderr, "lpm p%u host %u: %llx (err %d), model %llx\n", p,
					hosts[h], (unsigned long long)value, err,
					(unsigned long long)want);
			wrong = 1;
		}
	}
	return wrong;
}

static int lpm_process(const char *ns_root, void *arg)
{
	uint32_t p = *(const uint32_t *)arg;
	struct bpfvm *vm = ns_test_vm(ns_root);
	struct lpm_model model = { 0 };
	unsigned seed = p + 1;
	struct bpfvm_map *map;
	int wrong = 0;

	if (bpfvm_map_get_by_pin(vm, "lpm", NULL, &map))
		return 1;
	for (uint32_t round = 1; round <= LPM_ROUNDS; round++) {
		struct lpm_key key;
		bool insert;
		int which;

		lpm_model_step(&model, p, &seed, round, &which, &insert);
		key = lpm_key_of(p, lpm_lens[which], 1);
		if (insert)
			bpfvm_map_update(map, &key, &model.value[which], BPF_ANY);
		else
			bpfvm_map_delete(map, &key);
		wrong += lpm_check_answers(map, p, &model);
	}
	bpfvm_map_close(map);
	bpfvm_destroy(vm);
	return wrong ? 3 : 0;
}

static void test_lpm_processes(void)
{
	const char *test = "lpm_answers_of_processes_match_the_model";
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_map_create_opts opts = { .sz = sizeof(opts), .map_flags = BPF_F_NO_PREALLOC };
	uint32_t procs[PROCS];
	pid_t pids[PROCS];
	struct bpfvm_map *map;
	int bad;

	if (bpfvm_map_create(vm, BPF_MAP_TYPE_LPM_TRIE, "lpm", sizeof(struct lpm_key), 8,
			     PROCS * LPM_LENS, &opts, &map) ||
	    bpfvm_map_pin(map, "lpm")) {
		testlib_check(test, false, "create: %s", bpfvm_errmsg());
		return;
	}
	for (uint32_t p = 0; p < PROCS; p++) {
		procs[p] = p;
		pids[p] = spawn(lpm_process, &procs[p]);
	}
	bad = wait_all(pids, PROCS);
	testlib_check(test, bad == 0, "%d processes saw an answer that is not the model's", bad);
	for (uint32_t p = 0; p < PROCS; p++) {
		struct lpm_model model = { 0 };
		unsigned seed = p + 1;
		bool insert;
		int which;

		for (uint32_t round = 1; round <= LPM_ROUNDS; round++)
			lpm_model_step(&model, p, &seed, round, &which, &insert);
		testlib_check(test, lpm_check_answers(map, p, &model) == 0,
			      "process %u's final answers are not its model's", p);
	}
	bpfvm_obj_unpin(vm, "lpm");
	bpfvm_map_close(map);
	bpfvm_destroy(vm);
}

/* ---- LRU: shared by processes, never over capacity -------------------- */

#define LRU_MAX 64
#define LRU_KEYS 1000
#define LRU_OPS 6000

/* ThreadSanitizer sees happens-before only within a process: a lock that
 * another process released and this one took looks like no synchronisation
 * at all, so every LRU element handed over through another process shows
 * as a race. Under TSan the model runs as threads of one process, where
 * every edge is seen and the LRU's locking is checked for real. */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define STRESS_UNDER_TSAN 1
#endif
#endif
#if defined(STRESS_UNDER_TSAN) || defined(__SANITIZE_THREAD__)
#define LRU_PROCS 1
#define LRU_THREADS (2 * PROCS)
#else
#define LRU_PROCS PROCS
#define LRU_THREADS 2
#endif

struct lru_worker {
	struct bpfvm_map *map;
	unsigned seed;
	int failures;
};

static void *lru_thread(void *arg)
{
	struct lru_worker *w = arg;

	for (int i = 0; i < LRU_OPS; i++) {
		uint32_t key = (uint32_t)rand_r(&w->seed) % LRU_KEYS;
		uint64_t value = (uint64_t)key * 3, got;

		if (i % 7 == 0)
			bpfvm_map_delete(w->map, &key);
		else if (i % 3)
			w->failures += bpfvm_map_update(w->map, &key, &value, BPF_ANY) != 0;
		else if (bpfvm_map_lookup(w->map, &key, &got) == 0 && got != value)
			w->failures++;
	}
	return NULL;
}

/* LRU_THREADS threads of one process on the pinned map "lru". */
static int lru_process(const char *ns_root, void *arg)
{
	struct bpfvm *vm = ns_test_vm(ns_root);
	struct lru_worker workers[LRU_THREADS];
	pthread_t threads[LRU_THREADS];
	struct bpfvm_map *map;
	int failures = 0;

	if (bpfvm_map_get_by_pin(vm, "lru", NULL, &map))
		return 1;
	for (int i = 0; i < LRU_THREADS; i++) {
		workers[i] = (struct lru_worker){ map, *(unsigned *)arg * 16 + (unsigned)i, 0 };
		pthread_create(&threads[i], NULL, lru_thread, &workers[i]);
	}
	for (int i = 0; i < LRU_THREADS; i++) {
		pthread_join(threads[i], NULL);
		failures += workers[i].failures;
	}
	bpfvm_map_close(map);
	bpfvm_destroy(vm);
	return failures != 0;
}

/* Keys iterated (stopping above `max`, so that a cycle shows), each seen
 * once; *dup counts keys seen twice. `value_ok` checks each value. */
static uint32_t lru_iterate(struct bpfvm_map *map, uint32_t max, uint32_t key_space,
			    bool (*value_ok)(struct bpfvm_map *map, uint32_t key), int *dup,
			    int *bad)
{
	uint8_t *seen = calloc(key_space, 1);
	uint32_t key, next, count = 0;
	void *cur = NULL;

	*dup = *bad = 0;
	while (count <= max && bpfvm_map_get_next_key(map, cur, &next) == 0) {
		if (next >= key_space || seen[next]++)
			(*dup)++;
		else if (!value_ok(map, next))
			(*bad)++;
		key = next;
		cur = &key;
		count++;
	}
	free(seen);
	return count;
}

static bool lru_value_is_key_times_3(struct bpfvm_map *map, uint32_t key)
{
	uint64_t value = 0;

	return bpfvm_map_lookup(map, &key, &value) == 0 && value == (uint64_t)key * 3;
}

/* Every element on exactly one list, and as many in use as keys iterated
 * (hash_lru_census); a census that finds a dead holder's lock marks the map
 * for repair, which the write of `key` does. */
static int lru_census_after_write(struct bpfvm_map *map, uint32_t key, const void *value,
				  uint32_t *in_use, uint32_t *nfree)
{
	int err = hash_lru_census(map, in_use, nfree);

	if (err == -EAGAIN) {
		bpfvm_map_update(map, &key, value, BPF_ANY);
		bpfvm_map_delete(map, &key);
		err = hash_lru_census(map, in_use, nfree);
	}
	return err;
}

static void test_lru_processes(uint32_t map_flags, const char *test)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_map_create_opts opts = { .sz = sizeof(opts), .map_flags = map_flags };
	unsigned ids[LRU_PROCS];
	pid_t pids[LRU_PROCS];
	struct bpfvm_map *map;
	uint32_t count, in_use, nfree;
	int bad, dup, err;

	if (bpfvm_map_create(vm, BPF_MAP_TYPE_LRU_HASH, "lru", 4, 8, LRU_MAX, &opts, &map) ||
	    bpfvm_map_pin(map, "lru")) {
		testlib_check(test, false, "create: %s", bpfvm_errmsg());
		return;
	}
	for (int p = 0; p < LRU_PROCS; p++) {
		ids[p] = (unsigned)p + 1;
		pids[p] = spawn(lru_process, &ids[p]);
	}
	testlib_check(test, wait_all(pids, LRU_PROCS) == 0,
		      "a process saw a failed update or another key's value");
	count = lru_iterate(map, LRU_MAX, LRU_KEYS, lru_value_is_key_times_3, &dup, &bad);
	testlib_check(test, count <= LRU_MAX && count > 0 && !dup && !bad,
		      "%u live keys (max %u), %d twice, %d with another value", count, LRU_MAX,
		      dup, bad);
	err = hash_lru_census(map, &in_use, &nfree);
	testlib_check(test, err == 0 && in_use == count && in_use + nfree == LRU_MAX,
		      "lists: %d, %u in use (%u keys), %u free", err, in_use, count, nfree);
	bpfvm_obj_unpin(vm, "lru");
	bpfvm_map_close(map);
	bpfvm_destroy(vm);
}

/* ---- kill -9 of writers mid-run ------------------------------------- */

#define KILL_WRITERS 4
#define KILL_KEYS 16 /* per writer */
#define KILL_LRU_MAX 32
#define KILL_LRU_KEYS 64 /* twice the capacity: updates evict */
#define KILL_LRU_NAMES 2

/* The LRU maps of the storm: common lists, and per-CPU values on per-CPU
 * lists (nr_cpus 2: a value is two patterns). */
static const char *const kill_lru_names[KILL_LRU_NAMES] = { "kill_lru", "kill_lru_pcpu" };
static const uint32_t kill_lru_value_sizes[KILL_LRU_NAMES] = { 16, 32 };

static void kill_write_lru(struct bpfvm_map *const lru[KILL_LRU_NAMES], uint32_t writer,
			   uint64_t n)
{
	uint32_t key = writer + KILL_WRITERS * (uint32_t)(n % (KILL_LRU_KEYS / KILL_WRITERS));
	uint8_t value[32];

	pattern_fill(value, sizeof(value), n);
	for (int i = 0; i < KILL_LRU_NAMES; i++) {
		if (n % 7 == 0)
			bpfvm_map_delete(lru[i], &key);
		else
			bpfvm_map_update(lru[i], &key, value, BPF_ANY);
	}
}

static int kill_writer(const char *ns_root, void *arg)
{
	uint32_t writer = *(const uint32_t *)arg;
	struct bpfvm *vm = ns_test_vm(ns_root);
	struct bpfvm_map *hash, *queue, *lru[KILL_LRU_NAMES];
	uint8_t value[sizeof(struct pattern)];

	if (bpfvm_map_get_by_pin(vm, "kill_hash", NULL, &hash) ||
	    bpfvm_map_get_by_pin(vm, "kill_queue", NULL, &queue))
		return 1;
	for (int i = 0; i < KILL_LRU_NAMES; i++)
		if (bpfvm_map_get_by_pin(vm, kill_lru_names[i], NULL, &lru[i]))
			return 1;
	for (uint64_t n = 1;; n++) {
		uint32_t key = writer * KILL_KEYS + (uint32_t)(n % KILL_KEYS);
		uint64_t item = (uint64_t)writer << 32 | (n & 0xffffffffu), popped;

		pattern_fill(value, sizeof(value), n);
		if (n % 5 == 0)
			bpfvm_map_delete(hash, &key);
		else
			bpfvm_map_update(hash, &key, value, BPF_ANY);
		if (bpfvm_map_update(queue, NULL, &item, BPF_ANY) == -E2BIG)
			bpfvm_map_lookup_and_delete(queue, NULL, &popped);
		kill_write_lru(lru, writer, n);
	}
}

static bool lru_value_whole16(struct bpfvm_map *map, uint32_t key)
{
	uint8_t value[16];

	return bpfvm_map_lookup(map, &key, value) == 0 && pattern_whole(value, sizeof(value));
}

static bool lru_value_whole32(struct bpfvm_map *map, uint32_t key)
{
	uint8_t value[32];

	return bpfvm_map_lookup(map, &key, value) == 0 && pattern_whole(value, sizeof(value));
}

/* After the storm: iteration ends with each key once; once the repair ran,
 * every element is on one list and as many are in use as keys iterated
 * (nothing leaked: the capacity is whole); the map empties, and refills
 * with new keys (evicting as the kernel's LRU may, never over capacity). */
static void kill_check_lru(struct bpfvm_map *map, int which, int killed, const char *test)
{
	bool (*whole)(struct bpfvm_map *, uint32_t) = which ? lru_value_whole32 : lru_value_whole16;
	const char *name = kill_lru_names[which];
	uint32_t count, in_use, nfree, key = KILL_LRU_KEYS;
	uint8_t value[32];
	int dup, torn, err;

	count = lru_iterate(map, KILL_LRU_MAX, KILL_LRU_KEYS, whole, &dup, &torn);
	/* LRU_HASH writes a new element before linking it: never torn. */
	testlib_check(test, count <= KILL_LRU_MAX && !dup && torn <= (which ? killed : 0),
		      "%s: %u keys iterated (max %u), %d twice, %d torn", name, count,
		      KILL_LRU_MAX, dup, torn);
	pattern_fill(value, sizeof(value), 1);
	err = lru_census_after_write(map, key, value, &in_use, &nfree);
	count = lru_iterate(map, KILL_LRU_MAX, KILL_LRU_KEYS, whole, &dup, &torn);
	testlib_check(test, err == 0 && in_use == count && in_use + nfree == KILL_LRU_MAX,
		      "%s lists after the repair: %d, %u in use (%u keys), %u free", name, err,
		      in_use, count, nfree);
	for (key = 0; key < KILL_LRU_KEYS; key++)
		bpfvm_map_delete(map, &key);
	err = hash_lru_census(map, &in_use, &nfree);
	testlib_check(test, err == 0 && in_use == 0 && nfree == KILL_LRU_MAX &&
				    bpfvm_map_get_next_key(map, NULL, &key) == -ENOENT,
		      "%s emptied: %d, %u in use, %u free", name, err, in_use, nfree);
	for (key = 100; key < 100 + KILL_LRU_MAX; key++)
		testlib_check(test, bpfvm_map_update(map, &key, value, BPF_NOEXIST) == 0,
			      "%s: refill of key %u failed: %s", name, key, bpfvm_errmsg());
	count = lru_iterate(map, KILL_LRU_MAX, 100 + KILL_LRU_MAX, whole, &dup, &torn);
	err = hash_lru_census(map, &in_use, &nfree);
	testlib_check(test, err == 0 && count > 0 && in_use == count && !dup && !torn &&
				    in_use + nfree == KILL_LRU_MAX,
		      "%s refilled: %d, %u keys, %u in use, %u free", name, err, count, in_use,
		      nfree);
}

static void kill_check_hash(struct bpfvm_map *hash, int killed, const char *test)
{
	uint32_t key, next, count = 0, max = KILL_WRITERS * KILL_KEYS;
	uint8_t value[sizeof(struct pattern)];
	void *cur = NULL;
	int torn = 0;

	/* A writer killed between linking a new element and unlinking the old
	 * one leaves its key twice until the next write repairs it; readers
	 * skip the old element, so iteration sees every key once and ends
	 * (it once went round for ever). */
	while (count <= max && bpfvm_map_get_next_key(hash, cur, &next) == 0) {
		if (bpfvm_map_lookup(hash, &next, value) == 0 &&
		    !pattern_whole(value, sizeof(value)))
			torn++;
		key = next;
		cur = &key;
		count++;
	}
	testlib_check(test, count <= max && torn <= killed,
		      "hash: %u keys iterated (max %u), %d torn values (%d writers killed)", count,
		      max, torn, killed);
	max = KILL_WRITERS * KILL_KEYS;
	for (key = 0; key < max; key++)
		bpfvm_map_delete(hash, &key);
	testlib_check(test, bpfvm_map_get_next_key(hash, NULL, &next) == -ENOENT,
		      "hash: not empty after deleting every key");
	for (key = 0; key < max; key++) {
		pattern_fill(value, sizeof(value), key);
		testlib_check(test, bpfvm_map_update(hash, &key, value, BPF_NOEXIST) == 0,
			      "hash: refill of key %u failed: %s", key, bpfvm_errmsg());
	}
}

static void kill_check_queue(struct bpfvm_map *queue, const char *test)
{
	static uint8_t seen[KILL_WRITERS][1 << 16];
	uint64_t item;
	int foreign = 0, dup = 0, popped = 0;

	memset(seen, 0, sizeof(seen));
	while (popped <= 64 && bpfvm_map_lookup_and_delete(queue, NULL, &item) == 0) {
		uint32_t who = (uint32_t)(item >> 32), n = (uint32_t)item;

		popped++;
		/* Items above 2^16 per writer are not tracked: a writer that
		 * lived that long is fine, its items are still checked for
		 * their writer. */
		if (who >= KILL_WRITERS || n == 0)
			foreign++;
		else if (n < (1u << 16) && seen[who][n]++)
			dup++;
	}
	testlib_check(test, popped <= 64 && !foreign && !dup,
		      "queue: %d popped (max 64), %d never pushed, %d twice", popped, foreign,
		      dup);
	for (uint64_t i = 0; i < 64; i++)
		testlib_check(test, bpfvm_map_update(queue, NULL, &i, BPF_ANY) == 0,
			      "queue: refill %llu failed: %s", (unsigned long long)i,
			      bpfvm_errmsg());
}

static void test_kill_storm(void)
{
	const char *test = "maps_stay_consistent_after_writers_are_killed_mid_run";
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_map_create_opts percpu_lists = { .sz = sizeof(percpu_lists),
						       .map_flags = BPF_F_NO_COMMON_LRU };
	struct bpfvm_map *hash, *queue, *lru[KILL_LRU_NAMES];
	uint32_t writers[KILL_WRITERS];
	pid_t pids[KILL_WRITERS];
	unsigned seed = (unsigned)time(NULL);
	int killed = 0;

	if (bpfvm_map_create(vm, BPF_MAP_TYPE_HASH, "kill_hash", 4, sizeof(struct pattern),
			     KILL_WRITERS * KILL_KEYS, NULL, &hash) ||
	    bpfvm_map_pin(hash, "kill_hash") ||
	    bpfvm_map_create(vm, BPF_MAP_TYPE_QUEUE, "kill_queue", 0, 8, 64, NULL, &queue) ||
	    bpfvm_map_pin(queue, "kill_queue") ||
	    bpfvm_map_create(vm, BPF_MAP_TYPE_LRU_HASH, kill_lru_names[0], 4,
			     kill_lru_value_sizes[0], KILL_LRU_MAX, NULL, &lru[0]) ||
	    bpfvm_map_pin(lru[0], kill_lru_names[0]) ||
	    bpfvm_map_create(vm, BPF_MAP_TYPE_LRU_PERCPU_HASH, kill_lru_names[1], 4,
			     kill_lru_value_sizes[1] / 2, KILL_LRU_MAX, &percpu_lists, &lru[1]) ||
	    bpfvm_map_pin(lru[1], kill_lru_names[1])) {
		testlib_check(test, false, "create: %s", bpfvm_errmsg());
		return;
	}
	printf("kill storm seed %u\n", seed);
	for (uint32_t w = 0; w < KILL_WRITERS; w++) {
		writers[w] = w;
		pids[w] = spawn(kill_writer, &writers[w]);
	}
	/* Every writer is killed, one at a time, at a random moment. */
	for (uint32_t w = 0; w < KILL_WRITERS; w++) {
		int status;

		usleep(20000 + (useconds_t)(rand_r(&seed) % 80000));
		kill(pids[w], SIGKILL);
		waitpid(pids[w], &status, 0);
		killed += WIFSIGNALED(status);
	}
	testlib_check(test, killed == KILL_WRITERS, "%d of %d writers died by the signal",
		      killed, KILL_WRITERS);
	kill_check_hash(hash, killed, test);
	kill_check_queue(queue, test);
	for (int i = 0; i < KILL_LRU_NAMES; i++) {
		kill_check_lru(lru[i], i, killed, test);
		bpfvm_obj_unpin(vm, kill_lru_names[i]);
		bpfvm_map_close(lru[i]);
	}
	bpfvm_obj_unpin(vm, "kill_hash");
	bpfvm_obj_unpin(vm, "kill_queue");
	bpfvm_map_close(hash);
	bpfvm_map_close(queue);
	bpfvm_destroy(vm);
}

/* ---- A writer killed in the middle of a replace ---------------------- */

static int replace_pipe[2];

/* Holds every bucket lock, with key 1 replaced halfway: a new element
 * (value 2) linked at the head of its bucket, the old one (value 1) still
 * linked behind it, as hash.c's replace leaves them between its two
 * steps. Then waits to be killed. */
static int child_dies_mid_replace(const char *ns_root, void *arg)
{
	struct bpfvm *vm = ns_test_vm(ns_root);
	struct hash_elem *old, *fresh;
	struct hash_table *table;
	struct hash_bucket *buckets, *bucket;
	struct bpfvm_map *map;
	uint32_t key = 1;

	(void)arg;
	if (bpfvm_map_get_by_pin(vm, "replace", NULL, &map))
		return 1;
	table = hash_table(map);
	buckets = map_at(map, table->buckets_off);
	old = hash_find(map, &key);
	/* Elements are handed out from index 0: the last is free. */
	fresh = hash_elem_at(map, table, table->nr_elems - 1);
	if (!old || fresh == old)
		return 2;
	for (uint32_t i = 0; i < table->n_buckets; i++)
		map_lock_acquire(&buckets[i].lock);
	bucket = &buckets[old->hash & (table->n_buckets - 1)];
	fresh->hash = old->hash;
	memcpy(fresh->key, old->key, sizeof(key));
	memset(hash_elem_value(table, fresh, 0), 0, 8);
	*(uint8_t *)hash_elem_value(table, fresh, 0) = 2;
	atomic_store(&fresh->next, atomic_load(&bucket->first));
	atomic_store(&bucket->first, (uint64_t)((uint8_t *)fresh - (uint8_t *)map->region));
	if (write(replace_pipe[1], "x", 1) != 1)
		return 3;
	for (;;)
		pause();
}

/* Keys iterated, stopping at 100 (iteration that goes round). */
static uint32_t count_keys(struct bpfvm_map *map)
{
	uint32_t next, count = 0;

	for (int rc = bpfvm_map_get_next_key(map, NULL, &next); rc == 0 && count < 100;
	     rc = bpfvm_map_get_next_key(map, &next, &next))
		count++;
	return count;
}

static void test_dead_replace(void)
{
	const char *test = "a_writer_killed_mid_replace_leaves_its_key_once";
	struct bpfvm *vm = ns_test_vm(root);
	uint32_t key, count;
	struct bpfvm_map *map;
	uint64_t value;
	pid_t pid;
	char c;

	if (pipe(replace_pipe) ||
	    bpfvm_map_create(vm, BPF_MAP_TYPE_HASH, "replace", 4, 8, 4, NULL, &map) ||
	    bpfvm_map_pin(map, "replace")) {
		testlib_check(test, false, "setup: %s", bpfvm_errmsg());
		return;
	}
	for (key = 0; key < 4; key++) {
		value = key;
		bpfvm_map_update(map, &key, &value, BPF_ANY);
	}
	pid = spawn(child_dies_mid_replace, NULL);
	testlib_check(test, read(replace_pipe[0], &c, 1) == 1, "the child holds the locks");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* Readers take no lock and cannot repair: they skip the old element,
	 * so iteration sees the key once before any write too. */
	count = count_keys(map);
	testlib_check(test, count == 4, "before a write: %u keys iterated, want 4", count);
	key = 1;
	testlib_check(test, bpfvm_map_lookup(map, &key, &value) == 0 && value == 2,
		      "before a write: key 1 holds %llu, want the new value 2",
		      (unsigned long long)value);
	/* The next writer recovers a dead holder's lock and repairs. */
	key = 3;
	value = 3;
	testlib_check(test, bpfvm_map_update(map, &key, &value, BPF_EXIST) == 0,
		      "a write after the kill: %s", bpfvm_errmsg());
	count = count_keys(map);
	testlib_check(test, count == 4, "%u keys iterated, want 4", count);
	key = 1;
	testlib_check(test, bpfvm_map_lookup(map, &key, &value) == 0 && value == 2,
		      "key 1 holds the new value (2), not %llu", (unsigned long long)value);
	testlib_check(test, bpfvm_map_delete(map, &key) == 0 &&
				    bpfvm_map_lookup(map, &key, &value) == -ENOENT,
		      "key 1 is gone after one delete");
	for (key = 10; key < 11; key++)
		testlib_check(test, bpfvm_map_update(map, &key, &value, BPF_NOEXIST) == 0,
			      "refill key %u: %s", key, bpfvm_errmsg());
	/* The repaired file (its elements marked by the repair) is still one
	 * that the checks of an opener accept. */
	struct bpfvm *other = ns_test_vm(root);
	struct bpfvm_map *again;

	testlib_check(test, bpfvm_map_get_by_pin(other, "replace", NULL, &again) == 0,
		      "the repaired map opens again: %s", bpfvm_errmsg());
	bpfvm_map_close(again);
	bpfvm_destroy(other);
	bpfvm_obj_unpin(vm, "replace");
	bpfvm_map_close(map);
	bpfvm_destroy(vm);
	close(replace_pipe[0]);
	close(replace_pipe[1]);
}

/* ---- A writer killed in the middle of an LRU move --------------------- */

static int lru_dead_pipe[2];

static void lru_unlink_from_chain(struct bpfvm_map *map, struct hash_bucket *bucket,
				  struct hash_elem *elem)
{
	uint64_t target = (uint64_t)((uint8_t *)elem - (uint8_t *)map->region);
	_Atomic uint64_t *link = &bucket->first;

	while (!(atomic_load(link) & 1)) {
		struct hash_elem *cur = map_at(map, atomic_load(link));

		if (atomic_load(link) == target) {
			atomic_store(link, atomic_load(&cur->next));
			return;
		}
		link = &cur->next;
	}
}

/* Holds every bucket lock (so that the parent's next write meets a dead
 * holder's) with key 1's element unlinked from its chain and not freed (a
 * delete between its two steps), and another key's element half taken off
 * its list (its predecessor already skips it, its successor still points
 * back at it), as a writer killed in the middle of lru_list_del leaves
 * them. Then waits to be killed. */
static int child_dies_mid_lru_move(const char *ns_root, void *arg)
{
	struct bpfvm *vm = ns_test_vm(ns_root);
	struct hash_elem *one, *half = NULL, *before;
	struct hash_bucket *buckets;
	struct hash_table *table;
	struct bpfvm_map *map;
	uint32_t key = 1;

	(void)arg;
	if (bpfvm_map_get_by_pin(vm, "lru_dead", NULL, &map))
		return 1;
	table = hash_table(map);
	buckets = map_at(map, table->buckets_off);
	one = hash_find(map, &key);
	/* One whose predecessor on its list is an element, not a head. */
	for (key = 2; key < 6 && !half; key++) {
		half = hash_find(map, &key);
		if (half && half->lru.link.prev >= table->nr_elems)
			half = NULL;
	}
	if (!one || !half)
		return 2;
	for (uint32_t i = 0; i < table->n_buckets; i++)
		map_lock_acquire(&buckets[i].lock);
	lru_unlink_from_chain(map, &buckets[one->hash & (table->n_buckets - 1)], one);
	before = hash_elem_at(map, table, half->lru.link.prev);
	before->lru.link.next = half->lru.link.next;
	if (write(lru_dead_pipe[1], "x", 1) != 1)
		return 3;
	for (;;)
		pause();
}

static void test_dead_lru_move(void)
{
	const char *test = "an_lru_writer_killed_mid_move_loses_no_element";
	struct bpfvm *vm = ns_test_vm(root);
	uint32_t key, count, in_use = 0, nfree = 0;
	struct bpfvm_map *map;
	int dup, bad, err;
	uint64_t value;
	pid_t pid;
	char c;

	if (pipe(lru_dead_pipe) ||
	    bpfvm_map_create(vm, BPF_MAP_TYPE_LRU_HASH, "lru_dead", 4, 8, 8, NULL, &map) ||
	    bpfvm_map_pin(map, "lru_dead")) {
		testlib_check(test, false, "setup: %s", bpfvm_errmsg());
		return;
	}
	for (key = 0; key < 6; key++) {
		value = (uint64_t)key * 3;
		bpfvm_map_update(map, &key, &value, BPF_ANY);
	}
	pid = spawn(child_dies_mid_lru_move, NULL);
	testlib_check(test, read(lru_dead_pipe[0], &c, 1) == 1, "the child holds the lock");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	count = lru_iterate(map, 8, 1000, lru_value_is_key_times_3, &dup, &bad);
	testlib_check(test, count == 5 && !dup && !bad,
		      "before a write: %u keys (want 5: key 1 unlinked), %d twice, %d wrong", count,
		      dup, bad);
	/* The next writer recovers the dead holder's lock and repairs. */
	key = 100;
	value = 300;
	testlib_check(test, bpfvm_map_update(map, &key, &value, BPF_NOEXIST) == 0,
		      "a write after the kill: %s", bpfvm_errmsg());
	count = lru_iterate(map, 8, 1000, lru_value_is_key_times_3, &dup, &bad);
	err = hash_lru_census(map, &in_use, &nfree);
	testlib_check(test, err == 0 && count == 6 && in_use == count && nfree == 2,
		      "after the repair: lists %d, %u keys, %u in use, %u free (want 6, 6, 2)", err,
		      count, in_use, nfree);
	for (key = 200; key < 208; key++) {
		value = (uint64_t)key * 3;
		bpfvm_map_update(map, &key, &value, BPF_ANY);
	}
	count = lru_iterate(map, 8, 1000, lru_value_is_key_times_3, &dup, &bad);
	err = hash_lru_census(map, &in_use, &nfree);
	testlib_check(test, err == 0 && count > 0 && count <= 8 && in_use == count &&
				    in_use + nfree == 8,
		      "refilled: lists %d, %u keys, %u in use, %u free", err, count, in_use, nfree);
	struct bpfvm *other = ns_test_vm(root);
	struct bpfvm_map *again;

	testlib_check(test, bpfvm_map_get_by_pin(other, "lru_dead", NULL, &again) == 0,
		      "the repaired map opens again: %s", bpfvm_errmsg());
	bpfvm_map_close(again);
	bpfvm_destroy(other);
	bpfvm_obj_unpin(vm, "lru_dead");
	bpfvm_map_close(map);
	bpfvm_destroy(vm);
	close(lru_dead_pipe[0]);
	close(lru_dead_pipe[1]);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJECTS_DIR\n", argv[0]);
		return 2;
	}
	objects_dir = argv[1];
	ns_test_root_make(root, sizeof(root));
	test_atomic_adds();
	test_owners(BPF_MAP_TYPE_HASH, "hash_owners_see_no_torn_value_and_keep_the_last_write");
	test_owners(BPF_MAP_TYPE_PERCPU_HASH,
		    "percpu_hash_owners_see_no_torn_value_and_keep_the_last_write");
	test_queue_stack(BPF_MAP_TYPE_QUEUE, "queue_across_processes_gives_every_value_once");
	test_queue_stack(BPF_MAP_TYPE_STACK, "stack_across_processes_gives_every_value_once");
	test_lpm_processes();
	test_lru_processes(0, "lru_shared_by_processes_never_holds_more_than_max_entries");
	test_lru_processes(BPF_F_NO_COMMON_LRU,
			   "percpu_lists_lru_shared_by_processes_never_over_max_entries");
	test_kill_storm();
	test_dead_replace();
	test_dead_lru_move();
	ns_test_root_remove(root);
	return testlib_summary();
}
