/* Several threads update, delete and look up the same hash map at once.
 * Each writer owns the keys k with k % WRITERS == its number and keeps a
 * model of them; readers look up any key. Checked: no torn value (every
 * value is 8 copies of one stamp naming its key), no lost update (at the
 * end every key holds its owner's last write, or, in an LRU map, nothing),
 * never more than max_entries keys. */
#include <pthread.h>

#include "hash_test_util.h"

#define WRITERS 4
#define READERS 2
#define KEYS 256
#define OPS_PER_WRITER 50000
#define WORDS 8

struct model_key {
	bool present;
	uint64_t stamp;
};

struct hammer {
	struct bpfvm_map *map;
	bool lru, percpu;
	uint32_t nr_cpus;
	_Atomic bool done;
	_Atomic unsigned torn, wrong, lookups;
	struct model_key model[KEYS];
};

struct worker {
	struct hammer *h;
	uint32_t id;
	uint64_t rng;
};

static uint32_t worker_rng(struct worker *w, uint32_t bound)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return (uint32_t)(w->rng % bound);
}

static size_t value_bytes(const struct hammer *h)
{
	return (h->percpu ? h->nr_cpus : 1) * WORDS * sizeof(uint64_t);
}

static void fill(const struct hammer *h, uint64_t *value, uint64_t stamp)
{
	for (size_t i = 0; i < value_bytes(h) / 8; i++)
		value[i] = stamp;
}

/* Every word the same stamp, and the stamp names the key. */
static bool untorn(const struct hammer *h, const uint64_t *value, uint32_t key)
{
	for (size_t i = 0; i < value_bytes(h) / 8; i++)
		if (value[i] != value[0])
			return false;
	return value[0] >> 32 == key;
}

static void writer_check(struct worker *w, uint32_t key, int err, const uint64_t *value)
{
	struct hammer *h = w->h;
	struct model_key *m = &h->model[key];

	if (!err && !untorn(h, value, key))
		atomic_fetch_add(&h->torn, 1);
	else if (!err && (!m->present || value[0] != m->stamp))
		atomic_fetch_add(&h->wrong, 1); /* a lost or phantom update */
	else if (err && m->present && !h->lru)
		atomic_fetch_add(&h->wrong, 1);
}

static void writer_update(struct worker *w, uint32_t key, uint64_t *value, uint64_t *version)
{
	struct hammer *h = w->h;
	struct model_key *m = &h->model[key];
	uint64_t flags = worker_rng(w, 3), stamp = ((uint64_t)key << 32) | ++*version;
	int err;

	fill(h, value, stamp);
	if (!h->percpu && worker_rng(w, 2))
		err = (int)h->map->ops->bpf_update(h->map, &key, value, flags, w->id % h->nr_cpus);
	else
		err = hash_test_update(h->map, &key, value, flags);
	if (!err) {
		m->present = true;
		m->stamp = stamp;
	} else if (err == -E2BIG && !m->present && !h->lru) {
		/* full: the key stays absent */
	} else if (h->lru && (err == -ENOENT || err == -EEXIST)) {
		/* evicted meanwhile, or present: both possible */
		if (err == -ENOENT)
			m->present = false;
	} else if ((err == -EEXIST && m->present) || (err == -ENOENT && !m->present)) {
		/* as the model says */
	} else {
		atomic_fetch_add(&h->wrong, 1);
	}
}

static void *writer_main(void *arg)
{
	struct worker *w = arg;
	struct hammer *h = w->h;
	uint64_t *value = calloc(1, value_bytes(h)), version = 0;

	for (int op = 0; op < OPS_PER_WRITER; op++) {
		uint32_t key = worker_rng(w, KEYS / WRITERS) * WRITERS + w->id;
		uint32_t choice = worker_rng(w, 10);
		int err;

		if (choice < 5) {
			writer_update(w, key, value, &version);
		} else if (choice < 7) {
			err = hash_test_lookup(h->map, &key, value);
			writer_check(w, key, err, value);
		} else if (choice < 9) {
			err = hash_test_delete(h->map, &key);
			if (!err != h->model[key].present && !(h->lru && err == -ENOENT))
				atomic_fetch_add(&h->wrong, 1);
			h->model[key].present = false;
		} else {
			err = bpfvm_map_lookup_and_delete(h->map, &key, value);
			writer_check(w, key, err, value);
			h->model[key].present = false;
		}
	}
	free(value);
	return NULL;
}

static long count_elem(struct bpfvm_map *map, void *key, void *value, void *ctx)
{
	return 0;
}

static void *reader_main(void *arg)
{
	struct worker *w = arg;
	struct hammer *h = w->h;
	uint64_t *value = calloc(1, value_bytes(h));

	while (!atomic_load(&h->done)) {
		uint32_t key = worker_rng(w, KEYS);

		if (!hash_test_lookup(h->map, &key, value)) {
			if (!untorn(h, value, key))
				atomic_fetch_add(&h->torn, 1);
			atomic_fetch_add(&h->lookups, 1);
		}
		if (worker_rng(w, 64) == 0)
			h->map->ops->bpf_for_each(h->map, 0, count_elem, NULL);
		if (worker_rng(w, 64) == 0)
			hash_test_count(h->map, 4 * KEYS);
	}
	free(value);
	return NULL;
}

static void final_check(struct hammer *h, const char *name)
{
	uint64_t *value = calloc(1, value_bytes(h));
	unsigned present = 0, bad = 0, count = hash_test_count(h->map, 4 * KEYS);

	for (uint32_t key = 0; key < KEYS; key++) {
		int err = hash_test_lookup(h->map, &key, value);

		present += h->model[key].present;
		if (!err && (!h->model[key].present || value[0] != h->model[key].stamp ||
			     !untorn(h, value, key)))
			bad++;
		if (err && h->model[key].present && !h->lru)
			bad++;
	}
	testlib_check("hammer_no_torn_value", h->torn == 0, "%s: %u torn", name, h->torn);
	testlib_check("hammer_no_lost_update", h->wrong == 0 && bad == 0,
		      "%s: %u wrong during, %u wrong at the end", name, h->wrong, bad);
	testlib_check("hammer_never_over_capacity", count <= map_max_entries(h->map),
		      "%s: %u keys, max %u", name, count, map_max_entries(h->map));
	if (!h->lru)
		testlib_check("hammer_count_matches_model", count == present, "%s: %u keys, model %u",
			      name, count, present);
	free(value);
}

static void hammer(uint32_t type, uint32_t flags, uint32_t max_entries, const char *name)
{
	struct bpfvm *vm = hash_test_vm(4);
	struct hammer *h = calloc(1, sizeof(*h));
	struct worker workers[WRITERS + READERS];
	pthread_t threads[WRITERS + READERS];

	h->map = hash_test_map(vm, type, 4, WORDS * 8, max_entries, flags);
	h->lru = type == BPF_MAP_TYPE_LRU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	h->percpu = type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	h->nr_cpus = bpfvm_nr_cpus(vm);
	for (uint32_t i = 0; i < WRITERS + READERS; i++) {
		workers[i] = (struct worker){.h = h, .id = i, .rng = 0x1234567ull * (i + 1)};
		pthread_create(&threads[i], NULL, i < WRITERS ? writer_main : reader_main,
			       &workers[i]);
	}
	for (uint32_t i = 0; i < WRITERS; i++)
		pthread_join(threads[i], NULL);
	atomic_store(&h->done, true);
	for (uint32_t i = WRITERS; i < WRITERS + READERS; i++)
		pthread_join(threads[i], NULL);
	final_check(h, name);
	bpfvm_map_close(h->map);
	free(h);
	bpfvm_destroy(vm);
}

int main(void)
{
	hammer(BPF_MAP_TYPE_HASH, 0, KEYS, "hash");
	hammer(BPF_MAP_TYPE_HASH, 0, KEYS / 2, "hash_often_full");
	hammer(BPF_MAP_TYPE_HASH, BPF_F_NO_PREALLOC, KEYS / 2, "hash_no_prealloc");
	hammer(BPF_MAP_TYPE_PERCPU_HASH, 0, KEYS / 2, "percpu_hash");
	hammer(BPF_MAP_TYPE_LRU_HASH, 0, KEYS / 2, "lru_hash");
	hammer(BPF_MAP_TYPE_LRU_HASH, BPF_F_NO_COMMON_LRU, KEYS / 2, "lru_hash_no_common");
	hammer(BPF_MAP_TYPE_LRU_PERCPU_HASH, 0, KEYS / 2, "lru_percpu_hash");
	return testlib_summary();
}
